// The framer on hand-made inputs: every input is framed whole, byte by byte and cut at every
// offset (frameAllWays), and the results are checked value by value.
import { describe, expect, it } from 'vitest';
import { bytes, frameAllWays } from './framer-harness.js';
import { createFramer } from '../../../src/pipeline/http/framer.js';

const ok = (offset: number, framing = 'content-length', trailers: [string, string][] = []) =>
  ({ type: 'end', offset, framing, trailers, complete: true });

describe('framer: well-formed traffic', () => {
  it('chunked body with extensions and trailers', () => {
    const head = 'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = '5;name=val\r\nhello\r\n6 ; foo="bar"\r\n world\r\n000\r\nX-Sum: abc\r\nX-Other:  1 \r\n\r\n';
    const input = bytes(head + body);
    const ev = frameAllWays(input, { mode: 'request' });
    expect(ev).toEqual([
      { type: 'head', offset: 0, kind: 'request', method: 'POST', target: '/up', version: 'HTTP/1.1', headers: [['Host', 'x'], ['Transfer-Encoding', 'chunked']], raw: head },
      { type: 'body', offset: head.length + 12, data: 'hello world' },
      ok(input.length, 'chunked', [['X-Sum', 'abc'], ['X-Other', '1']]),
    ]);
  });

  it('chunked: LF-only lines, uppercase hex, no trailers, then the next message', () => {
    const input = bytes('PUT /c HTTP/1.1\nTransfer-Encoding: gzip, Chunked\n\nA\n0123456789\n0\n\nGET /n HTTP/1.1\n\n');
    const ev = frameAllWays(input, { mode: 'request' });
    expect(ev.map((e) => e.type)).toEqual(['head', 'body', 'end', 'head', 'end']);
    expect(ev[1]).toMatchObject({ data: '0123456789', offset: input.indexOf('0123') });
    expect(ev[2]).toEqual(ok(input.indexOf('GET'), 'chunked'));
    expect(ev[3]).toMatchObject({ offset: input.indexOf('GET'), target: '/n' });
    expect(ev[4]).toEqual(ok(input.length, 'none'));
  });

  it('a pipelined pair in one push', () => {
    const a = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n';
    const b = 'POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz';
    const ev = frameAllWays(bytes(a + b), { mode: 'request' });
    expect(ev).toEqual([
      expect.objectContaining({ type: 'head', offset: 0, method: 'GET', target: '/a' }),
      ok(a.length, 'none'),
      expect.objectContaining({ type: 'head', offset: a.length, method: 'POST', target: '/b' }),
      { type: 'body', offset: a.length + b.length - 3, data: 'xyz' },
      ok(a.length + b.length),
    ]);
  });

  it('keep-alive: three requests and their three responses', () => {
    const req = (i: number): string => `POST /stage2.htm HTTP/1.1\r\nConnection: Keep-Alive\r\nContent-Length: 4\r\n\r\nbody${i}`.slice(0, -1);
    const input = bytes(req(1) + req(2) + req(3));
    const ev = frameAllWays(input, { mode: 'request' });
    expect(ev.filter((e) => e.type === 'body').map((e) => e.type === 'body' && e.data)).toEqual(['body', 'body', 'body']);
    const n = req(1).length;
    expect(ev.filter((e) => e.type === 'head').map((e) => e.offset)).toEqual([0, n, 2 * n]);
    const res = bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\n!');
    const r = frameAllWays(res, { mode: 'response', expect: ['POST', 'POST', 'POST'] });
    expect(r.filter((e) => e.type === 'head').map((e) => e.type === 'head' && e.kind === 'response' && [e.status, e.reason])).toEqual([[200, 'OK'], [200, 'OK'], [500, 'Oops']]);
    expect(r.at(-1)).toEqual(ok(res.length));
  });

  it('100-continue: the interim is its own message and does not use up the expected method', () => {
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
    const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const headRes = 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';
    const input = bytes(interim + interim + final + headRes);
    const ev = frameAllWays(input, { mode: 'response', expect: ['PUT', 'HEAD'] });
    expect(ev).toEqual([
      expect.objectContaining({ type: 'head', offset: 0, status: 100, reason: 'Continue' }),
      ok(interim.length, 'none'),
      expect.objectContaining({ type: 'head', offset: interim.length, status: 100 }),
      ok(2 * interim.length, 'none'),
      expect.objectContaining({ type: 'head', status: 200 }),
      { type: 'body', offset: 2 * interim.length + final.length - 2, data: 'ok' },
      ok(2 * interim.length + final.length),
      expect.objectContaining({ type: 'head', status: 200, headers: [['Content-Length', '1234']] }),
      ok(input.length, 'none'),
    ]);
    // the request side of the same: Expect: 100-continue needs nothing special
    const req = bytes('PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc');
    expect(frameAllWays(req, { mode: 'request' }).map((e) => e.type)).toEqual(['head', 'body', 'end']);
  });

  it('HEAD response: Content-Length but no body; next response uses its own length', () => {
    const a = 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';
    const b = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
    const ev = frameAllWays(bytes(a + b), { mode: 'response', expect: ['head', 'GET'] });
    expect(ev).toEqual([
      expect.objectContaining({ type: 'head', offset: 0 }), ok(a.length, 'none'),
      expect.objectContaining({ type: 'head', offset: a.length }), { type: 'body', offset: a.length + b.length - 3, data: 'abc' }, ok(a.length + b.length),
    ]);
  });

  it('204 and 304 have no body even with Content-Length; empty queue means GET', () => {
    const a = 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n';
    const b = 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n';
    const c = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ';
    const ev = frameAllWays(bytes(a + b + c), { mode: 'response' });
    expect(ev.filter((e) => e.type === 'end')).toEqual([ok(a.length, 'none'), ok(a.length + b.length, 'none'), ok(a.length + b.length + c.length)]);
    expect(ev.filter((e) => e.type === 'body')).toEqual([{ type: 'body', offset: a.length + b.length + c.length - 1, data: 'Z' }]);
  });

  it('until-close: a response without length reads to the end, even bytes that look like HTTP', () => {
    const head = 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\n';
    const body = 'Bucket=1\r\nHTTP/1.1 200 OK\r\n\r\n';
    const ev = frameAllWays(bytes(head + body), { mode: 'response' });
    expect(ev).toEqual([expect.objectContaining({ type: 'head', version: 'HTTP/1.0' }), { type: 'body', offset: head.length, data: body }, ok(head.length + body.length, 'until-close')]);
    // Transfer-Encoding without chunked in a response: until-close too
    const gz = bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08');
    expect(frameAllWays(gz, { mode: 'response' }).at(-1)).toEqual(ok(gz.length, 'until-close'));
    // no body at all
    const empty = bytes('HTTP/1.1 200 OK\r\n\r\n');
    expect(frameAllWays(empty, { mode: 'response' })).toEqual([expect.objectContaining({ type: 'head' }), ok(empty.length, 'until-close')]);
  });

  it('LF-only line ends; raw keeps them', () => {
    const head = 'GET / HTTP/1.1\nHost: a\nContent-Length: 3\n\n';
    const ev = frameAllWays(bytes(`${head}abc`), { mode: 'request' });
    expect(ev[0]).toMatchObject({ raw: head, headers: [['Host', 'a'], ['Content-Length', '3']] });
    expect(ev[1]).toEqual({ type: 'body', offset: head.length, data: 'abc' });
  });

  it('obs-fold lines are joined with one space; names keep case, order, duplicates', () => {
    const input = bytes('GET / HTTP/1.1\r\nX-Long: a\r\n   b\r\n\tc  \r\nhost: h\r\nX-Dup: 1\r\nx-dup: 2\r\nEmpty:\r\n\r\n');
    const [head] = frameAllWays(input, { mode: 'request' });
    expect(head).toMatchObject({ headers: [['X-Long', 'a b c'], ['host', 'h'], ['X-Dup', '1'], ['x-dup', '2'], ['Empty', '']] });
  });

  it('leading empty lines belong to no message but offsets count them', () => {
    const input = bytes('\r\n\n\r\nGET /1 HTTP/1.1\r\n\r\n\r\nGET /2 HTTP/1.1\r\n\r\n\r\n');
    const ev = frameAllWays(input, { mode: 'request' });
    expect(ev).toEqual([
      expect.objectContaining({ type: 'head', offset: 5, target: '/1' }), ok(24, 'none'),
      expect.objectContaining({ type: 'head', offset: 26, target: '/2' }), ok(45, 'none'),
    ]);
  });

  it('auto mode sniffs each message; Content-Length lists of equal values frame, with a non-fatal note', () => {
    const a = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nhi';
    const b = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const ev = frameAllWays(bytes(a + b + a), { mode: 'auto' });
    expect(ev.filter((e) => e.type === 'head').map((e) => e.type === 'head' && e.kind)).toEqual(['request', 'response', 'request']);
    expect(ev.filter((e) => e.type === 'raw')).toEqual([]);
    const second = a.indexOf('Content-Length: 2\r\n');
    expect(ev.filter((e) => e.type === 'problem').map((e) => e.type === 'problem' && [e.code, e.offset])).toEqual([
      ['duplicate-content-length', second], ['duplicate-content-length', a.length + b.length + second],
    ]);
  });

  it('Transfer-Encoding chunked overrides Content-Length (RFC 9112 §6.3 step 3)', () => {
    const input = bytes('POST / HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n');
    const ev = frameAllWays(input, { mode: 'request' });
    expect(ev.slice(1)).toEqual([
      { type: 'problem', code: 'te-and-content-length', offset: input.indexOf('Content-Length'), message: expect.stringContaining('request smuggling') },
      { type: 'body', offset: input.indexOf('hi'), data: 'hi' }, ok(input.length, 'chunked'),
    ]);
  });

  it('CONNECT 2xx and 101: the rest is a raw tunnel, without a problem', () => {
    const head = 'HTTP/1.1 200 Connection Established\r\n\r\n';
    const tls = '\x16\x03\x01\x00\x05hello';
    const ev = frameAllWays(bytes(head + tls), { mode: 'response', expect: ['CONNECT'] });
    expect(ev).toEqual([expect.objectContaining({ type: 'head', status: 200 }), ok(head.length, 'none'), { type: 'raw', offset: head.length, data: tls }]);
    // CONNECT refused: an ordinary response
    const no = bytes('HTTP/1.1 407 Auth\r\nContent-Length: 1\r\n\r\nx');
    expect(frameAllWays(no, { mode: 'response', expect: ['CONNECT'] }).map((e) => e.type)).toEqual(['head', 'body', 'end']);
    const up = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
    const ws = frameAllWays(bytes(`${up}\x81\x05hello`), { mode: 'response' });
    expect(ws).toEqual([expect.objectContaining({ status: 101 }), ok(up.length, 'none'), { type: 'raw', offset: up.length, data: '\x81\x05hello' }]);
  });

  it('a head exactly maxHeaderBytes long is accepted', () => {
    const head = 'GET / HTTP/1.1\r\nX: 12345\r\n\r\n';
    const ev = frameAllWays(bytes(head), { mode: 'request', maxHeaderBytes: head.length });
    expect(ev).toEqual([expect.objectContaining({ type: 'head' }), ok(head.length, 'none')]);
  });
});

describe('auto mode (one stream holding both directions)', () => {
  it('frames the response to a HEAD without a body even when both arrive in one push', () => {
    const input = Buffer.from(
      'HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' +
      'GET /y HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');
    const f = createFramer({ mode: 'auto', source: 'client' });
    const events = [...f.push(input), ...f.end()];
    expect(events.filter((e) => e.type === 'problem')).toEqual([]);
    const heads = events.filter((e) => e.type === 'head').map((e) => (e.type === 'head' && e.head.kind === 'request' ? e.head.method : 'response'));
    expect(heads).toEqual(['HEAD', 'response', 'GET']);
  });
});
