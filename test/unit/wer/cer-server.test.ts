import { describe, expect, test } from 'vitest';
import type { Header } from '../../../src/model.js';
import { CerServer, isLevel1Request, type CerServerOptions } from '../../../src/domain/server/cer-server.js';
import { parseLevel1Response } from '../../../src/domain/server/level1-response.js';
import { readVector } from '../../helpers/paths.js';
import { makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';
import { ConversationTracker } from '../../../src/pipeline/conversation.js';

const BODY = readVector('level1-appcrash.body.xml');
const GUID = '11111111-2222-3333-4444-555555555555';

/** The server with the conversation tracker the pipeline puts in front of it. */
function server(over: Partial<CerServerOptions> = {}): CerServer & { tracker: ConversationTracker } {
  return Object.assign(new CerServer({ mode: 'cer', answer: { ask: [], noCab: false }, newGuid: () => GUID, ...over }), { tracker: new ConversationTracker() });
}

function split(reply: Buffer): { head: string[]; body: Buffer } {
  const at = reply.indexOf('\r\n\r\n');
  return { head: reply.subarray(0, at).toString('latin1').split('\r\n'), body: reply.subarray(at + 4) };
}

const level1 = (headers?: Header[], version = 'HTTP/1.1') => {
  const req = makeRequest('POST', '/stage2.htm', BODY, headers ?? [['Content-Length', String(BODY.length)]]);
  req.head.version = version;
  return makeExchange({ request: req, response: undefined });
};
const put = (target: string, headers: Header[] = [['Content-Length', '4']]) =>
  makeExchange({ request: makeRequest('PUT', target, 'MSCF', headers), response: undefined });

/** Runs an exchange through the tracker and the server the way the recorder and listener
 * do: the head, the request, then the answer as the response the tracker sees. */
function run(s: ReturnType<typeof server>, ex: ReturnType<typeof makeExchange>) {
  const connection = ex.connection;
  s.tracker.onRequestHead(ex, ex.request!.head);
  const early = s.onRequestHead(ex, ex.request!.head);
  s.tracker.onEvent({ type: 'request', ts: 0, connection, exchange: ex });
  const reply = s.onRequest(ex);
  if (reply) {
    const { head, body } = split(reply.bytes);
    const [, status, reason] = /^HTTP\/1\.1 (\d+) (.*)$/.exec(head[0]!)!;
    ex.response = makeResponse(Number(status), reason, body, head.slice(1).map((h) => h.split(': ') as [string, string]));
    s.tracker.onEvent({ type: 'response', ts: 0, connection, exchange: ex });
  }
  return { early, reply };
}

describe('CerServer, mode cer', () => {
  test('a level-1 POST gets 200 with a windows-1252 Key=value body that asks for the CAB', () => {
    const ex = level1();
    const { early, reply } = run(server(), ex);
    expect(early).toEqual({ reply: undefined, problem: undefined });
    expect(ex.reportId).toBe('r1');
    expect(reply!.close).toBe(false);
    const { head, body } = split(reply!.bytes);
    expect(head).toEqual(['HTTP/1.1 200 OK', 'Content-Type: text/plain; charset=windows-1252', `Content-Length: ${body.length}`]);
    const answer = parseLevel1Response(body.toString('latin1'));
    expect(answer.warnings).toEqual([]);
    expect(answer.values.iData).toBe('1');
    expect(answer.values.DumpFile).toMatch(new RegExp(`^\\\\PersistedCabs\\\\Generic\\\\APPCRASH\\\\widget\\.exe\\\\.*\\\\${GUID}\\.cab$`));
  });

  test('the PUT to the issued DumpFile is paired with its report, in any spelling', () => {
    const s = server();
    const one = level1();
    const dump = parseLevel1Response(split(run(s, one).reply!.bytes).body.toString('latin1')).values.DumpFile!;
    const spellings = [dump, dump.replace(/\\/g, '/'), dump.replace(/\\/g, '%5C'), `http://cer-lab.example.test:1273${dump.replace(/\\/g, '/').toUpperCase()}`];
    for (const target of spellings) {
      const up = put(target);
      const { early, reply } = run(s, up);
      expect(up.reportId).toBe('r1');
      expect(early.problem).toBeUndefined();
      expect(reply!.bytes.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    }
  });

  test('a PUT to a path never issued is answered and flagged as a problem', () => {
    const up = put('/PersistedCabs/Generic/elsewhere.cab');
    const { early, reply } = run(server(), up);
    expect(up.reportId).toBeUndefined();
    expect(early.problem).toMatchObject({ code: 'unknown-dump-path', source: 'client' });
    expect(early.problem!.message).toContain('/PersistedCabs/Generic/elsewhere.cab');
    expect(split(reply!.bytes).head[0]).toBe('HTTP/1.1 200 OK');
  });

  test('report ids count level-1 requests only', () => {
    const s = server();
    const a = level1();
    const other = makeExchange({ request: makeRequest('GET', '/'), response: undefined });
    const b = level1();
    run(s, a);
    run(s, other);
    run(s, b);
    expect([a.reportId, other.reportId, b.reportId]).toEqual(['r1', undefined, 'r2']);
  });

  test('--no-cab: iData=0, and no PUT path is issued', () => {
    const s = server({ answer: { ask: [], noCab: true, bucket: 5, bucketTable: 6 } });
    const { reply } = run(s, level1());
    expect(split(reply!.bytes).body.toString('latin1')).toBe('Bucket=5\r\nBucketTable=6\r\niData=0\r\n');
  });

  test('the body is code page 1252, not latin1', () => {
    const s = server({ answer: { ask: [], noCab: true, bucket: 1, bucketTable: 1, responseUrl: 'https://kb.example.test/€' } });
    const body = split(run(s, level1()).reply!.bytes).body;
    expect(body.subarray(0, 35)).toEqual(Buffer.concat([Buffer.from('Response=https://kb.example.test/'), Buffer.from([0x80, 0x0d])]));
  });

  test('--response-file: that body verbatim, whatever it holds', () => {
    const verbatim = Buffer.from([0x42, 0x75, 0x63, 0x6b, 0x65, 0x74, 0x20, 0x3d, 0x20, 0x37, 0x0a, 0xff, 0x00]);
    const { reply } = run(server({ responseBody: verbatim }), level1());
    const { head, body } = split(reply!.bytes);
    expect(body).toEqual(verbatim);
    expect(head).toContain('Content-Length: 13');
  });

  test('other requests get an empty 200', () => {
    const ex = makeExchange({ request: makeRequest('GET', '/favicon.ico'), response: undefined });
    expect(run(server(), ex).reply!.bytes.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
});

describe('CerServer, modes none and ok', () => {
  test('none never answers, not even 100 Continue', () => {
    const s = server({ mode: 'none' });
    const ex = level1([['Expect', '100-continue'], ['Content-Length', String(BODY.length)]]);
    const { early, reply } = run(s, ex);
    expect(early.reply).toBeUndefined();
    expect(reply).toBeUndefined();
    expect(ex.reportId).toBe('r1'); // still numbered for the outputs
  });

  test('ok answers everything with an empty 200 and never flags PUT paths', () => {
    const s = server({ mode: 'ok' });
    const { reply } = run(s, level1());
    expect(reply!.bytes.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(run(s, put('/anything.cab')).early.problem).toBeUndefined();
  });
});

describe('CerServer, HTTP details', () => {
  test('Expect: 100-continue gets the interim answer (HTTP/1.1 only)', () => {
    const s = server();
    const headers: Header[] = [['Expect', '100-Continue'], ['Content-Length', '4']];
    expect(s.onRequestHead(put('/x', headers), put('/x', headers).request!.head).reply?.toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    const old = put('/x', headers);
    old.request!.head.version = 'HTTP/1.0';
    expect(s.onRequestHead(old, old.request!.head).reply).toBeUndefined();
  });

  test('Connection: close is honoured and echoed', () => {
    const { reply } = run(server(), level1([['Connection', 'Keep-Alive, Close'], ['Content-Length', String(BODY.length)]]));
    expect(reply!.close).toBe(true);
    expect(split(reply!.bytes).head).toContain('Connection: close');
  });

  test('HTTP/1.0 closes unless keep-alive was asked for, which is then confirmed', () => {
    const plain = run(server({ mode: 'ok' }), level1(undefined, 'HTTP/1.0')).reply!;
    expect(plain.close).toBe(true);
    expect(split(plain.bytes).head).toContain('Connection: close');
    const keep = run(server({ mode: 'ok' }), level1([['Connection', 'keep-alive']], 'HTTP/1.0')).reply!;
    expect(keep.close).toBe(false);
    expect(split(keep.bytes).head).toEqual(['HTTP/1.1 200 OK', 'Content-Length: 0', 'Connection: keep-alive']);
  });

  test('HTTP/1.1 keeps the connection without saying so', () => {
    const { reply } = run(server({ mode: 'ok' }), level1());
    expect(reply!.close).toBe(false);
    expect(split(reply!.bytes).head).toEqual(['HTTP/1.1 200 OK', 'Content-Length: 0']);
  });
});

describe('isLevel1Request', () => {
  const head = (method: string, target: string) => makeRequest(method, target).head;
  test.each([
    ['POST', '/stage2.htm', true],
    ['POST', '/STAGE2.HTM', true],
    ['POST', 'stage2.htm', true],
    ['POST', '/stage2.htm?x=1', true],
    ['POST', 'http://cer-lab.example.test:1273/stage2.htm', true],
    ['GET', '/stage2.htm', false],
    ['POST', '/stage2.html', false],
    // under a prefix, which CorporateWERDirectory may add (docs/protocol.md §10a)
    ['POST', '/dir/stage2.htm', true],
    ['POST', '/a/b/Stage2.htm?x=1', true],
    ['POST', '\\cer\\stage2.htm', true],
    ['POST', 'http://cer-lab.example.test:1273/wer/stage2.htm', true],
    ['POST', '/xstage2.htm', false],
    ['POST', '/stage2.htm/x', false],
    ['POST', '/a?next=/stage2.htm', false],
  ])('%s %s → %s', (m, t, want) => {
    expect(isLevel1Request(head(m, t))).toBe(want);
  });
});
