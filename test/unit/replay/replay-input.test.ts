// The pure input side of replay: raw captures cut into exact request slices, HAR entries
// rebuilt (exact for wer-sniff's own HAR, faithful for foreign ones), and preparation
// (head length for 100-continue, --filter on request fields).
import { describe, expect, test } from 'vitest';
import { splitRequests } from '../../../src/sources/replay/split-requests.js';
import { harRequests, HarInputError } from '../../../src/sources/replay/har-requests.js';
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

describe('harRequests', () => {
  const own = (extra: Record<string, unknown>, postData?: Record<string, unknown>) => ({
    request: { method: 'PUT', url: 'http://x/', headers: [], _rawHead: Buffer.from('PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\n').toString('base64'), ...(postData ? { postData } : {}), ...extra },
    response: {},
  });

  test('wer-sniff entries: exact head plus body from base64 text or _base64; grouped by connection in order', () => {
    const doc = { log: { entries: [
      { ...own({}, { mimeType: '', text: Buffer.from([0, 1, 2]).toString('base64'), _encoding: 'base64' }), connection: '1' },
      { ...own({}, { mimeType: '', text: 'abc as text', _base64: Buffer.from('abc').toString('base64') }), connection: '2' },
      { request: { method: '' }, response: { status: 200 }, connection: '1' },
      { ...own({}, { mimeType: '', text: 'xyz' }), connection: '1' },
    ] } };
    const src = harRequests(doc, 'h.har');
    expect(src.connections.map((c) => c.name)).toEqual(['h.har connection 1', 'h.har connection 2']);
    expect(src.connections[0]!.requests.map((r) => r.toString('latin1'))).toEqual([
      'PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\n\x00\x01\x02', 'PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz']);
    expect(src.connections[1]!.requests[0]!.toString('latin1')).toBe('PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc');
    expect(src.notes).toEqual([]);
  });

  test('chunked bodies are sent again as one chunk (noted); bodies not kept are left out (noted)', () => {
    const doc = { log: { entries: [
      own({ _framing: 'chunked' }, { mimeType: '', text: 'hello' }),
      own({}, { mimeType: '', _sha256: 'ab'.repeat(32), comment: 'too large' }),
    ] } };
    const src = harRequests(doc, 'h');
    expect(src.connections).toHaveLength(1);
    expect(src.connections[0]!.requests[0]!.toString().endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
    expect(src.notes).toEqual([
      'h entry 2: the body is not in the HAR (too large when captured); not sent',
      'h: 1 chunked request body sent again as one chunk (the HAR keeps bodies de-chunked)',
    ]);
  });

  test('bodies the HAR only names (_omitted) are not sent, with why: over 1 MiB, or over --max-body-bytes; also when rebuilt from fields', () => {
    const named = (comment: string) => ({ mimeType: '', text: '', _size: 2e6, _sha256: 'ab'.repeat(32), _omitted: true, comment });
    const doc = { log: { entries: [
      own({}, named('body of 2000000 bytes left out (over 1.00 MiB)')),
      own({}, named('body of 2000000 bytes was too large to keep in memory (see --max-body-bytes)')),
      // A redacted HAR has no _rawHead: rebuilding it from the fields would send an empty body.
      { request: { method: 'PUT', url: 'http://x/a', headers: [], postData: named('left out') } },
      own({}, { mimeType: '', text: 'small' }),
    ] } };
    const src = harRequests(doc, 'h');
    expect(src.connections.flatMap((c) => c.requests).map((r) => r.toString('latin1'))).toEqual(['PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nsmall']);
    expect(src.notes).toEqual([
      `h entry 1: not sent — its body (2000000 bytes, sha256 ${'ab'.repeat(8)}…) is not in the HAR: wer-sniff names bodies over 1 MiB by size and sha256 only; capture with --include-bodies to replay them from the HAR (or replay the -o / -w capture)`,
      `h entry 2: not sent — its body (2000000 bytes, sha256 ${'ab'.repeat(8)}…) is not in the HAR: it was over --max-body-bytes when captured (or replay the -o / -w capture)`,
      `h entry 3: not sent — its body (2000000 bytes, sha256 ${'ab'.repeat(8)}…) is not in the HAR: wer-sniff names bodies over 1 MiB by size and sha256 only; capture with --include-bodies to replay them from the HAR (or replay the -o / -w capture)`,
    ]);
  });

  test('foreign entries: origin-form target, Host from the URL, no pseudo-headers, Content-Length of the body', () => {
    const doc = { log: { entries: [
      { request: { method: 'GET', url: 'http://h.example.test:8080/p?q=1', headers: [{ name: 'Accept', value: '*/*' }] } },
      { request: { method: 'POST', url: 'http://h/', headers: [{ name: 'Host', value: 'other' }, { name: 'Transfer-Encoding', value: 'chunked' }], postData: { mimeType: 'x', text: Buffer.from([0xff]).toString('base64'), encoding: 'base64' } } },
      { request: { method: 'GET', url: 'not a url', headers: [] } },
    ] } };
    const src = harRequests(doc, 'f');
    expect(src.connections.map((c) => c.requests[0]!.toString('latin1'))).toEqual([
      'GET /p?q=1 HTTP/1.1\r\nHost: h.example.test:8080\r\nAccept: */*\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: other\r\nContent-Length: 1\r\n\r\n\xff',
    ]);
    expect(src.notes[0]).toBe('f entry 3: url "not a url" is not an absolute URL; not sent');
    expect(src.notes[1]).toMatch(/^f: 2 requests without wer-sniff's exact bytes/);
  });

  test('JSON that is not a HAR is refused', () => {
    expect(() => harRequests({ hello: 1 }, 'x.json')).toThrow(HarInputError);
    expect(() => harRequests({ hello: 1 }, 'x.json')).toThrow('x.json is JSON but not a HAR (no log.entries)');
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
