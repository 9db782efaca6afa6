// The framer on malformed traffic: one problem with a stable code and a specific message, then
// every byte not yet framed comes back as raw — whole, byte by byte and cut at every offset.
import { describe, expect, it } from 'vitest';
import { createFramer } from '../../../src/pipeline/http/framer.js';
import type { Norm } from './framer-harness.js';
import { bytes, frameAllWays } from './framer-harness.js';

const problems = (ev: Norm[]): Norm[] => ev.filter((e) => e.type === 'problem');

/** A ClientHello as Windows' WinHTTP would open it (TLS 1.2 record, random etc. made up). */
const CLIENT_HELLO = Buffer.concat([
  Buffer.from('160303009a010000960303', 'hex'),
  Buffer.alloc(32, 0x5a), // random
  Buffer.from('00002ac02cc02bc030c02f009f009ec024c023c028c027c00ac009c014c013009d009c003d003c0035002f000a0100', 'hex'),
  Buffer.from('0043000000170015000012636572', 'hex'),
]);

/** Input whose only problem is `code` at `offset`; everything from `rawFrom` on is raw. */
function expectFatal(input: Buffer, mode: 'request' | 'response' | 'auto', code: string, offset: number, rawFrom: number, opts: { expect?: string[]; maxHeaderBytes?: number } = {}): Norm[] {
  const ev = frameAllWays(input, { mode, ...opts });
  const i = ev.findIndex((e) => e.type === 'problem');
  expect(ev[i]).toMatchObject({ code, offset });
  expect(problems(ev)).toHaveLength(1);
  expect(ev.at(-1)).toEqual({ type: 'raw', offset: rawFrom, data: input.subarray(rawFrom).toString('latin1') });
  return ev;
}

describe('framer: malformed traffic', () => {
  it('bad-request-line: TLS ClientHello bytes say so', () => {
    const ev = expectFatal(CLIENT_HELLO, 'request', 'bad-request-line', 0, 0);
    expect(ev).toHaveLength(2);
    const msg = (ev[0] as { message: string }).message;
    expect(msg).toContain('"\\x16\\x03\\x03\\x00\\x9a\\x01');
    expect(msg).toContain('the client is speaking HTTPS/TLS; wer-sniff expects plain HTTP (CorporateWERUseSSL?)');
    // the framer gives up before the whole hello arrived (a TLS client waits for an answer)
    const f = createFramer({ mode: 'request', source: 'client' });
    expect(f.push(CLIENT_HELLO.subarray(0, 17)).map((e) => e.type)).toEqual(['problem', 'raw']);
    expect(f.isRaw).toBe(true);
    expect(f.push(bytes('more'))).toEqual([{ type: 'raw', offset: 17, data: bytes('more') }]);
    // a short hello that ends at once still gets the hint
    const g = createFramer({ mode: 'auto', source: 'client' });
    expect(g.push(Buffer.from('160301', 'hex'))).toEqual([]);
    expect(g.end()[0]).toMatchObject({ type: 'problem', problem: { code: 'bad-request-line', message: expect.stringContaining('TLS') } });
  });

  it('bad-request-line: after a good request the offsets point at the bad one', () => {
    const good = 'GET / HTTP/1.1\r\n\r\n';
    const ev = expectFatal(Buffer.concat([bytes(good), CLIENT_HELLO]), 'request', 'bad-request-line', good.length, good.length);
    expect(ev.slice(0, 2).map((e) => e.type)).toEqual(['head', 'end']);
  });

  it('bad-request-line: not a method, HTTP/0.9, control characters, a response on the client side', () => {
    const cases: Array<[string, RegExp]> = [
      ['GET/ HTTP/1.1\r\n\r\n', /^expected a request line "METHOD target HTTP\/x.y", saw "GET\/ HTTP\/1.1"$/],
      ['GET /x\r\n\r\n', /^expected "HTTP\/x.y" at the end of a request line .*, saw "GET \/x"$/],
      ['GET /a\x01b HTTP/1.1\r\n\r\n', /request-target without control characters.*saw "GET \/a\\x01b HTTP\/1.1"/],
      ['GET / HTTP/1.1 \r\n\r\n', /"HTTP\/x.y" at the end/],
      ['HTTP/1.1 200 OK\r\n\r\n', /looks like a response/],
      ['\x00\x00\x00\x00garbage\n\xff\xfe\n\n', /saw "\\x00\\x00\\x00\\x00garbage"/],
    ];
    for (const [text, message] of cases) {
      const ev = expectFatal(bytes(text), 'request', 'bad-request-line', 0, 0);
      expect((ev[0] as { message: string }).message).toMatch(message);
    }
  });

  it('excerpts are escaped and capped at ~60 characters', () => {
    const long = `GET /${'x'.repeat(200)} HTTP/1.1.1\r\n\r\n`;
    const ev = expectFatal(bytes(long), 'request', 'bad-request-line', 0, 0);
    const saw = /saw (".*")$/.exec((ev[0] as { message: string }).message)![1]!;
    expect(saw.length).toBeLessThanOrEqual(64);
    expect(saw.endsWith('…"')).toBe(true);
  });

  it('bad-status-line', () => {
    for (const text of ['HTTP/1.1 2000 OK\r\n\r\n', 'HTTP/1.1 OK\r\n\r\n', 'HTTP/x 200 OK\r\n\r\n', 'SSH-2.0-OpenSSH_9.6\r\n']) {
      const ev = expectFatal(bytes(text), 'response', 'bad-status-line', 0, 0);
      expect((ev[0] as { message: string }).message).toMatch(/^expected a status line "HTTP\/x.y NNN reason", saw "/);
    }
    // no reason phrase is fine
    expect(frameAllWays(bytes('HTTP/1.1 204\r\n\r\n'), { mode: 'response' })[0]).toMatchObject({ status: 204, reason: '' });
  });

  it('bad-header: no colon, spaces or control characters in the name, fold before any header', () => {
    const start = 'POST / HTTP/1.1\r\nHost: a\r\n';
    for (const line of ['Host a', 'Bad Name: x', 'Host : x', 'X\x01Y: z', ': v']) {
      const ev = expectFatal(bytes(`${start}${line}\r\nContent-Length: 1\r\n\r\nx`), 'request', 'bad-header', start.length, 0);
      expect((ev[0] as { message: string }).message).toMatch(/^expected a header (line "name: value" \(no colon\)|name token before ":" \(no spaces or control characters\)), saw "/);
    }
    expectFatal(bytes('GET / HTTP/1.1\r\n folded\r\n\r\n'), 'request', 'bad-header', 16, 0);
  });

  it('header-too-large names the limit and the flag', () => {
    const input = bytes(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}\r\n\r\n`);
    const ev = expectFatal(input, 'request', 'header-too-large', 0, 0, { maxHeaderBytes: 64 });
    expect((ev[0] as { message: string }).message).toMatch(/within 64 bytes \(raise --max-header-bytes\), saw none: "GET \/ HTTP\/1.1\\r\\nX: a/);
    // one byte over
    const head = 'GET / HTTP/1.1\r\nX: 12345\r\n\r\n';
    expectFatal(bytes(head), 'request', 'header-too-large', 0, 0, { maxHeaderBytes: head.length - 1 });
    // a bad line before the limit wins
    expectFatal(bytes(`GET / HTTP/1.1\r\nbad\r\n${'a'.repeat(100)}`), 'request', 'bad-header', 16, 0, { maxHeaderBytes: 64 });
  });

  it('bad-content-length: not digits, differing values; the head goes out raw', () => {
    for (const cl of ['Content-Length: 12a', 'Content-Length: -1', 'Content-Length:', 'Content-Length: 5\r\nContent-Length: 6', 'Content-Length: 5, 6', 'Content-Length: 99999999999999999999']) {
      const input = bytes(`POST / HTTP/1.1\r\nHost: a\r\n${cl}\r\n\r\n12345`);
      const ev = expectFatal(input, 'request', 'bad-content-length', cl.includes('\n') ? 26 + 19 : 26, 0);
      expect(ev).toHaveLength(2);
      expect((ev[0] as { message: string }).message).toMatch(/^expected (Content-Length to be decimal digits|every Content-Length to equal 5|a Content-Length below 2\^53), saw "/);
    }
  });

  it('bad-transfer-encoding: a request TE that does not end in chunked', () => {
    for (const te of ['gzip', 'chunked, gzip']) {
      const ev = expectFatal(bytes(`POST / HTTP/1.1\r\nTransfer-Encoding: ${te}\r\n\r\nabc`), 'request', 'bad-transfer-encoding', 17, 0);
      expect((ev[0] as { message: string }).message).toBe(`expected a request Transfer-Encoding ending in "chunked", saw "${te}"`);
    }
  });

  it('bad-chunk-size: not hex, too big, data not followed by CRLF; the message ends incomplete', () => {
    const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    const cases: Array<[string, string, RegExp]> = [
      ['zz\r\nabc', 'zz', /^expected a chunk size line "HEX\[;ext\]", saw "zz"$/],
      ['3\r\nabc\r\n;x\r\n', ';x', /saw ";x"$/],
      ['3\r\nabc\r\nFFFFFFFFFFFFFFFF\r\n', 'FFFF', /^expected a chunk size below 2\^52/],
      ['3\r\nabcXY\r\n0\r\n\r\n', 'XY', /^expected CRLF after the 3-byte chunk data \(wrong chunk size\?\), saw "XY"$/],
      ['3\r\nabc\r\nG000000000000000000000\r\n', 'G0', /saw "G000000000000000"$/],
    ];
    for (const [body, bad, message] of cases) {
      const input = bytes(head + body);
      const at = input.indexOf(bad, head.length);
      const ev = expectFatal(input, 'request', 'bad-chunk-size', at, at);
      expect((ev.find((e) => e.type === 'problem') as { message: string }).message).toMatch(message);
      expect(ev.at(-2)).toEqual({ type: 'end', offset: at, framing: 'chunked', trailers: [], complete: false });
    }
  });

  it('bad trailers: a bad line, a trailer section over the limit', () => {
    const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    const input = bytes(`${head}0\r\nOk: 1\r\nno colon\r\n\r\n`);
    const ev = expectFatal(input, 'request', 'bad-header', input.indexOf('no colon'), input.indexOf('no colon'));
    expect(ev.at(-2)).toEqual({ type: 'end', offset: input.indexOf('no colon'), framing: 'chunked', trailers: [['Ok', '1']], complete: false });
    const big = bytes(`${head}0\r\nA: ${'x'.repeat(80)}\r\n\r\n`);
    expectFatal(big, 'request', 'header-too-large', big.indexOf('A:'), big.indexOf('A:'), { maxHeaderBytes: 64 });
  });

  it('truncated-body: the stream ends inside a Content-Length or chunked body (no raw follows)', () => {
    const cl = bytes('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345');
    expect(frameAllWays(cl, { mode: 'request' }).slice(1)).toEqual([
      { type: 'body', offset: cl.length - 5, data: '12345' },
      { type: 'problem', code: 'truncated-body', offset: cl.length, message: 'expected 10 body bytes (Content-Length), saw the stream end after 5' },
      { type: 'end', offset: cl.length, framing: 'content-length', trailers: [], complete: false },
    ]);
    const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (const [body, where] of [['5\r\nab', 'inside a 5-byte chunk'], ['5\r\nabcde\r', 'waiting for the CRLF'], ['5\r\nabcde\r\n1', 'waiting for a chunk size line'], ['0\r\nX: y\r\n', 'inside the trailer section']] as const) {
      const input = bytes(head + body);
      const ev = frameAllWays(input, { mode: 'request' });
      expect(ev.at(-2)).toMatchObject({ type: 'problem', code: 'truncated-body', offset: input.length, message: expect.stringContaining(where) });
      expect(ev.at(-1)).toMatchObject({ type: 'end', offset: input.length, framing: 'chunked', complete: false });
    }
  });

  it('truncated-head: the partial head comes back as raw', () => {
    const input = bytes('POST / HTTP/1.1\r\nHost: a\r\n');
    const ev = expectFatal(input, 'request', 'truncated-head', 0, 0);
    expect((ev[0] as { message: string }).message).toBe('expected a head ending in a blank line, saw the stream end after 26 bytes: "POST / HTTP/1.1\\r\\nHost: a\\r\\n"');
    // a lone CR at the very end is an unfinished empty line, not a head
    expect(frameAllWays(bytes('GET / HTTP/1.1\r\n\r\n\r'), { mode: 'request' }).map((e) => e.type)).toEqual(['head', 'end']);
  });

  it('garbage', () => {
    const junk = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256));
    expectFatal(junk, 'request', 'bad-request-line', 0, 0);
    expectFatal(junk, 'response', 'bad-status-line', 0, 0);
    expectFatal(junk, 'auto', 'bad-request-line', 0, 0);
    expectFatal(bytes('\r\n\r\nhello there\n\n'), 'request', 'bad-request-line', 4, 4);
    expectFatal(bytes('\rGET / HTTP/1.1\r\n\r\n'), 'request', 'bad-request-line', 0, 0);
  });
});
