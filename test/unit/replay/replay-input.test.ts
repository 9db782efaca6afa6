// The pure input side of replay: raw captures cut into exact request slices (HAR entries are
// rebuilt in test/unit/files/har-wire.test.ts), and preparation
// (head length for 100-continue, --filter on request fields).
import { describe, expect, test } from 'vitest';
import { splitRequests } from '../../../src/sources/replay/split-requests.js';
import { prepareRequests } from '../../../src/sources/replay/prepare.js';
import { parseFilter } from '../../../src/analysis/filter/parse.js';
import { keepsAlive } from '../../../src/sources/replay/replay-session.js';
import { makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';
import { readVector } from '../../helpers/paths.js';

const level1 = readVector('level1-appcrash.http');
const put = readVector('level2-put.http');
const answer = readVector('level1-response-level2.http');

describe('splitRequests', () => {
  test('back-to-back requests become exact slices; responses in the stream are skipped', () => {
    const chunked = Buffer.from('POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nT: 1\r\n\r\n');
    const stream = Buffer.concat([level1, answer, put, chunked]);
    const { connection, notes } = splitRequests(stream, 'cap');
    expect(connection.requests.map((r) => r.length)).toEqual([level1.length, put.length, chunked.length]);
    expect(Buffer.concat(connection.requests).equals(Buffer.concat([level1, put, chunked]))).toBe(true);
    expect(notes).toEqual(['cap: 1 response in the capture skipped (only requests are sent)']);
  });

  test('an incomplete last request and bytes that are not HTTP are left out, with a note', () => {
    const cut = splitRequests(Buffer.concat([level1, put.subarray(0, 500)]), 'cut');
    expect(cut.connection.requests).toHaveLength(1);
    expect(cut.notes.filter((n) => /^cut: the request at byte \d+ is incomplete \(500 bytes\); not sent$/.test(n))).toHaveLength(1);
    const junk = splitRequests(Buffer.concat([level1, Buffer.from('\x16\x03\x01 not http at all\r\n\r\n')]), 'junk');
    expect(junk.connection.requests).toEqual([level1]);
    expect(junk.notes.some((n) => /bytes at byte \d+ are not HTTP; not sent/.test(n))).toBe(true);
  });

  test('split at any read boundary is irrelevant: the whole buffer is framed at once', () => {
    expect(splitRequests(Buffer.alloc(0), 'empty')).toEqual({ connection: { name: 'empty', requests: [] }, notes: [] });
  });
});

describe('prepareRequests', () => {
  test('head length and Expect: 100-continue; --filter drops what request fields rule out', () => {
    const cont = Buffer.from('PUT /u HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok');
    const noBody = Buffer.from('GET /g HTTP/1.1\r\nExpect: 100-continue\r\n\r\n');
    const src = { connections: [{ name: 'a', requests: [level1, put, cont, noBody] }], notes: [] };
    const all = prepareRequests(src);
    expect(all.skipped).toBe(0);
    expect(all.connections[0]!.requests.map((r) => [r.headLength, r.expectContinue, r.label.slice(0, 8)])).toEqual([
      [level1.indexOf('\r\n\r\n') + 4, false, 'POST /st'], [put.indexOf('\r\n\r\n') + 4, false, 'PUT \\Per'],
      [cont.length - 2, true, 'PUT /u'], [noBody.length, false, 'GET /g'],
    ]);
    const some = prepareRequests(src, parseFilter('event=APPCRASH or status>=400'));
    // The report matches; the others could still match on their answer, so they are sent.
    expect(some.connections[0]!.requests).toHaveLength(4);
    const reports = prepareRequests(src, parseFilter('event=APPCRASH'));
    expect(reports.connections[0]!.requests.map((r) => r.bytes)).toEqual([level1]);
    expect(reports.skipped).toBe(3);
    expect(prepareRequests(src, parseFilter('method=DELETE')).connections).toEqual([]);
  });
});

describe('keepsAlive (RFC 9112 §9.3)', () => {
  test.each([
    ['HTTP/1.1', [], [], true],
    ['HTTP/1.1', [['Connection', 'close']], [], false],
    ['HTTP/1.1', [], [['connection', 'Keep-Alive, Close']], false],
    ['HTTP/1.0', [], [], false],
    ['HTTP/1.0', [['Connection', 'keep-alive']], [], true],
  ] as const)('%s response %j, request %j → %s', (version, resHeaders, reqHeaders, want) => {
    const response = makeResponse(200, 'OK', '', [...resHeaders] as [string, string][]);
    response.head.version = version;
    const ex = makeExchange({ request: makeRequest('GET', '/', '', [...reqHeaders] as [string, string][]), response });
    expect(keepsAlive(ex)).toBe(want);
  });
});
