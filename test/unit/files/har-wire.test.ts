// HAR documents back to wire bytes (src/sources/files/har-wire.ts): wer-sniff's own entries byte
// for byte (heads from _rawHead, text bodies re-encoded and checked by _sha256), chunked bodies
// framed again as one chunk, foreign HAR 1.2 rebuilt with every loss said once per file, and a
// body the HAR does not hold as a problem that cuts its connection.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import { harConnections, HarInputError, isHar, type HarStep } from '../../../src/sources/files/har-wire.js';

const b64 = (s: string | Buffer) => Buffer.from(s as string).toString('base64');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const data = (steps: HarStep[], source: 'client' | 'server') =>
  Buffer.concat(steps.flatMap((s) => (s.type === 'data' && s.source === source ? [s.bytes] : []))).toString('latin1');

describe('harConnections', () => {
  test('own entries: exact request, interim and response heads; a windows-1252 text answer comes back exactly', () => {
    const answer = iconv.encode('Bucket=1\r\nResponse=Ä€\r\n', 'windows-1252');
    const doc = { log: { entries: [{
      startedDateTime: '2026-01-02T03:04:05.000Z', connection: '7', timings: { send: 1, wait: 2 },
      request: { method: 'PUT', url: 'http://x/a', _rawHead: b64('PUT /a HTTP/1.1\r\nexpect: 100-continue\r\ncontent-length: 3\r\n\r\n'), postData: { text: b64('abc'), _encoding: 'base64' } },
      response: {
        status: 200, _rawHead: b64('HTTP/1.1 200 OK\r\ncontent-length: 21\r\n\r\n'),
        content: { text: iconv.decode(answer, 'windows-1252'), _charset: 'windows-1252', _sha256: sha(answer) },
        _interim: [{ status: 100, _rawHead: b64('HTTP/1.1 100 Continue\r\n\r\n') }],
      },
    }] } };
    const { connections, notes } = harConnections(doc, 'h.har');
    expect(notes).toEqual([]);
    expect(connections).toHaveLength(1);
    const c = connections[0]!;
    expect(c.name).toBe('h.har connection 7');
    expect(data(c.steps, 'client')).toBe('PUT /a HTTP/1.1\r\nexpect: 100-continue\r\ncontent-length: 3\r\n\r\nabc');
    expect(Buffer.from(data(c.steps, 'server'), 'latin1').equals(Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 21\r\n\r\n'), answer]))).toBe(true);
    // The wire order: head, 100 Continue, body, answer.
    expect(c.steps.map((s) => (s.type === 'data' ? s.source : s.type))).toEqual(['client', 'server', 'client', 'server']);
    expect(c.steps[3]!.ts).toBe(Date.parse('2026-01-02T03:04:05.000Z') + 3);
  });

  test('chunked bodies are framed again as one chunk, said once per file', () => {
    const own = { method: 'POST', url: 'http://x/', _rawHead: b64('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'), _framing: 'chunked', postData: { text: 'hello', _base64: b64('hello') } };
    const doc = { log: { entries: [{ request: own, response: { status: 0 } }, { request: own, response: { status: 0 } }] } };
    const { connections, notes } = harConnections(doc, 'h');
    expect(data(connections[0]!.steps, 'client')).toBe('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(notes).toEqual(['h: 2 chunked bodies framed again as one chunk (the HAR keeps bodies de-chunked)']);
  });

  test('a body the HAR only names is a problem on its exchange, and the connection is cut after it', () => {
    const named = { text: '', _size: 2e6, _sha256: 'ab'.repeat(32), _omitted: true, comment: 'left out (over 1.00 MiB)' };
    const doc = { log: { entries: [
      { connection: '1', request: { method: 'PUT', url: 'http://x/', _rawHead: b64('PUT /big HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n'), postData: named }, response: { status: 200, _rawHead: b64('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), content: { size: 0 } } },
      { connection: '1', request: { method: 'GET', url: 'http://x/next', _rawHead: b64('GET /next HTTP/1.1\r\n\r\n') }, response: { status: 0 } },
    ] } };
    const { connections } = harConnections(doc, 'h');
    expect(connections).toHaveLength(2);
    const p = connections[0]!.steps.find((s) => s.type === 'problem');
    expect(p).toMatchObject({ code: 'har-body-missing', source: 'client' });
    expect(p!.type === 'problem' && p!.message).toMatch(/^entry 1: its body \(2000000 bytes, sha256 abababababababab…\) is not in the HAR: .*--include-bodies/);
    expect(data(connections[0]!.steps, 'client')).toBe('PUT /big HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n');
    expect(data(connections[1]!.steps, 'client')).toBe('GET /next HTTP/1.1\r\n\r\n');
  });

  test('foreign entries (a browser export): HTTP/1.1, Host from :authority, no pseudo-headers, Content-Encoding dropped, each loss noted once', () => {
    const doc = { log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, entries: [
      {
        startedDateTime: '2026-01-02T03:04:05.000Z', timings: { send: 0, wait: 5, receive: 1 },
        request: { method: 'GET', url: 'https://h.example.test/p?q=1', httpVersion: 'h2', headers: [{ name: ':authority', value: 'h.example.test' }, { name: ':method', value: 'GET' }, { name: 'accept', value: '*/*' }] },
        response: { status: 200, statusText: '', httpVersion: 'h2', headers: [{ name: 'content-encoding', value: 'gzip' }, { name: 'content-type', value: 'text/plain' }], content: { size: 2, mimeType: 'text/plain', text: 'hi' } },
      },
      {
        request: { method: 'POST', url: 'http://h/f', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Length', value: '99' }], postData: { mimeType: 'application/octet-stream', text: b64(Buffer.from([0xff, 0])), encoding: 'base64' } },
        response: { status: 404, statusText: 'Not Found', httpVersion: 'HTTP/1.1', headers: [], content: { size: 0 } },
      },
      { request: { method: 'GET', url: 'not a url', headers: [] }, response: { status: 0 } },
    ] } };
    const { connections, notes } = harConnections(doc, 'f.har');
    expect(connections.map((c) => data(c.steps, 'client'))).toEqual([
      'GET /p?q=1 HTTP/1.1\r\nHost: h.example.test\r\naccept: */*\r\n\r\n',
      'POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n\xff\x00',
    ]);
    expect(connections.map((c) => data(c.steps, 'server'))).toEqual([
      'HTTP/1.1 200 \r\ncontent-type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
      'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(notes).toEqual([
      'f.har entry 3: url "not a url" is not an absolute URL; left out',
      "f.har: 2 requests without wer-sniff's exact bytes (_rawHead) rebuilt from the HAR fields: HTTP/1.1, headers in HAR order, Content-Length of the body sent",
      'f.har: 2 responses rebuilt from the HAR fields (the exact head is not in this HAR): HTTP/1.1, headers in HAR order, Content-Length of the body',
      'f.har: 2 messages were HTTP/2 or HTTP/3, shown as HTTP/1.1',
      'f.har: 1 body is stored decoded in the HAR; their Content-Encoding header is left out',
      'f.har: 1 text body taken as UTF-8 (the HAR does not say which bytes the text came from)',
    ]);
  });

  test('a foreign response whose body the tool left out stays incomplete (its claimed length), with a problem', () => {
    const doc = { log: { entries: [{ request: { method: 'GET', url: 'http://h/img', headers: [] }, response: { status: 200, statusText: 'OK', headers: [], content: { size: 1234, mimeType: 'image/png' } } }] } };
    const { connections } = harConnections(doc, 'f');
    expect(data(connections[0]!.steps, 'server')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
    expect(connections[0]!.steps.some((s) => s.type === 'problem' && s.source === 'server' && /1234-byte body is not in the HAR/.test(s.message))).toBe(true);
  });

  test('JSON that is not a HAR', () => {
    expect(isHar({ log: { entries: [] } })).toBe(true);
    expect(isHar({ hello: 1 })).toBe(false);
    expect(() => harConnections({ hello: 1 }, 'x.json')).toThrow(HarInputError);
  });
});
