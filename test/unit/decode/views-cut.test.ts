// A body over VIEW_DECODE_BYTES is decoded by its beginning for the views that only show it
// (text, XML, binary sniff): the thread that serves sockets must not decode 20 MiB of text per
// upload. A level-1 report (a POST to stage2.htm) is still decoded whole: its answer, folder and
// checks need all of it.
import { describe, expect, test } from 'vitest';
import { decodeBody, VIEW_DECODE_BYTES, type BodyContext } from '../../../src/domain/body/views.js';
import { bodyProblems } from '../../../src/domain/body/body-problems.js';
import { decodeTextPrefix } from '../../../src/domain/body/charset.js';
import { hugeReport } from '../../helpers/crafted.js';

const put: BodyContext = { headers: [['Content-Type', 'text/plain']], isResponse: false, requestMethod: 'PUT', requestTarget: '/upload/a.txt' };
const stage2: BodyContext = { headers: [], isResponse: false, requestMethod: 'POST', requestTarget: '/stage2.htm' };

function lines(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  let at = 0;
  for (let i = 0; at < b.length; i++) at += b.write(`line ${i}\r\n`, at, 'latin1');
  return b;
}

function bodyOf(request: Buffer): Buffer {
  return request.subarray(request.indexOf('\r\n\r\n') + 4);
}

describe('big bodies are decoded by their beginning', () => {
  test('a text body over the limit: the first VIEW_DECODE_BYTES as text, cut and a note say so', () => {
    const body = lines(3 * VIEW_DECODE_BYTES + 5);
    const dec = decodeBody(body, put);
    expect(dec.kind).toBe('text');
    expect(dec.text).toBe(body.subarray(0, VIEW_DECODE_BYTES).toString('latin1'));
    expect(dec.cut).toEqual({ decodedBytes: VIEW_DECODE_BYTES, totalBytes: body.length });
    expect(dec.notes).toEqual([expect.stringMatching(/^decoded the first 1\.00 MiB of 3\.00 MiB \(1048576 of 3145733 bytes\)/)]);
  });

  test('a body at the limit is decoded whole, with no cut', () => {
    const body = lines(VIEW_DECODE_BYTES);
    const dec = decodeBody(body, put);
    expect(dec.text?.length).toBe(VIEW_DECODE_BYTES);
    expect(dec.cut).toBeUndefined();
    expect(dec.notes).toEqual([]);
  });

  test('XML over the limit is not parsed (a cut tree is no parse error): text, cut', () => {
    const body = Buffer.concat([Buffer.from('<?xml version="1.0"?><log>'), lines(2 * VIEW_DECODE_BYTES), Buffer.from('</log>')]);
    const dec = decodeBody(body, { ...put, headers: [['Content-Type', 'application/xml']] });
    expect(dec.kind).toBe('text');
    expect(dec.xml).toBeUndefined();
    expect(dec.failure).toBeUndefined();
    expect(dec.cut?.decodedBytes).toBe(VIEW_DECODE_BYTES);
  });

  test('a level-1 report over the limit is decoded and read whole', () => {
    const body = bodyOf(hugeReport('attributes', 100_000));
    expect(body.length).toBeGreaterThan(VIEW_DECODE_BYTES);
    const dec = decodeBody(body, stage2);
    expect(dec.kind).toBe('wer-report');
    expect(dec.cut).toBeUndefined();
    expect(dec.text!.length).toBe((body.length - 2) / 2);
    expect(dec.xml?.length).toBeGreaterThan(0);
  });

  test('the same report PUT anywhere else is shown as cut text', () => {
    const body = bodyOf(hugeReport('attributes', 100_000));
    const dec = decodeBody(body, { ...put, headers: [] });
    expect(dec.kind).toBe('text');
    expect(dec.report).toBeUndefined();
    expect(dec.charset).toEqual({ name: 'utf-16le', rule: 'bom' });
    expect(dec.cut?.decodedBytes).toBe(VIEW_DECODE_BYTES);
  });

  test('an answer to stage2.htm over the limit is not read as a level-1 answer', () => {
    const body = Buffer.concat([Buffer.from('Bucket=1\r\n'), lines(VIEW_DECODE_BYTES)]);
    const dec = decodeBody(body, { headers: [], isResponse: true, requestMethod: 'POST', requestTarget: '/stage2.htm' });
    expect(dec.kind).toBe('text');
    expect(dec.level1).toBeUndefined();
  });
});

describe('decodeTextPrefix cuts where a character starts', () => {
  test('UTF-8: a three-byte character across the limit is left out whole (no U+FFFD)', () => {
    const body = Buffer.concat([Buffer.from('ab'), Buffer.from('€€€', 'utf8')]); // 2 + 9 bytes
    const d = decodeTextPrefix(body, 6);
    expect(d).toMatchObject({ charset: 'utf-8', rule: 'utf8', decodedBytes: 5, text: 'ab€' });
  });

  test('UTF-16LE after a BOM: an odd limit keeps whole code units', () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello', 'utf16le')]);
    const d = decodeTextPrefix(body, 7);
    expect(d).toMatchObject({ charset: 'utf-16le', rule: 'bom', decodedBytes: 6, text: 'he' });
  });

  test('the charset is told by the bytes decoded: a non-UTF-8 byte past the limit changes nothing', () => {
    // So the first bytes of a body, kept alone, decode as the whole body does (keep-whole.ts).
    const body = Buffer.concat([Buffer.from('aé€def', 'utf8'), Buffer.from([0xe9])]);
    const d = decodeTextPrefix(body, 7);
    expect(d).toMatchObject({ charset: 'utf-8', rule: 'utf8', decodedBytes: 7, text: 'aé€d' });
    expect(decodeTextPrefix(body.subarray(0, 7), 7, undefined, body.length)).toEqual(d);
    // within the limit, a bad byte still makes it windows-1252
    expect(decodeTextPrefix(body, body.length)).toMatchObject({ charset: 'windows-1252', rule: 'fallback', decodedBytes: body.length });
  });

  test('UTF-8: a character cut at the limit is left out whether or not the bytes after it are there', () => {
    const body = Buffer.from('ab€€€', 'utf8'); // the second € is bytes 5..7
    for (const limit of [6, 7]) {
      expect(decodeTextPrefix(body, limit)).toMatchObject({ decodedBytes: 5, text: 'ab€' });
      expect(decodeTextPrefix(body.subarray(0, limit), limit, undefined, body.length)).toMatchObject({ decodedBytes: 5, text: 'ab€' });
    }
    expect(decodeTextPrefix(body.subarray(0, 8), 8, undefined, body.length)).toMatchObject({ decodedBytes: 8, text: 'ab€€' });
  });

  test('under the limit: everything', () => {
    expect(decodeTextPrefix(Buffer.from('abc'), 10)).toMatchObject({ decodedBytes: 3, text: 'abc' });
  });
});

describe('the first VIEW_DECODE_BYTES of a longer body, kept alone, decode as the whole body', () => {
  const MiB = 1024 * 1024;
  /** `unit` repeated to `n` bytes (cut inside a character where it falls). */
  const fill = (unit: Buffer, n: number): Buffer => Buffer.concat(Array(Math.ceil(n / unit.length)).fill(unit)).subarray(0, n);
  const utf16le = (s: string): Buffer => Buffer.from(s, 'utf16le');
  // Each case: its name, the body, the headers. None is a POST to stage2.htm.
  const straddle = Buffer.concat([fill(Buffer.from('x'), MiB - 1), Buffer.from('€ and more text\n'.repeat(1000), 'utf8')]);
  const cases: [string, Buffer, BodyContext['headers']][] = [
    ['UTF-8, a three-byte character across the cut', straddle, [['Content-Type', 'text/plain']]],
    ['UTF-8 that turns invalid after the first MiB', Buffer.concat([fill(Buffer.from('Fehler in Modul ä.dll\n', 'utf8'), MiB + 1), Buffer.from([0xe4, 0x0a])]), []],
    ['windows-1252 text', fill(Buffer.from('Fehler in Modul \xe4.dll\r\n', 'latin1'), 3 * MiB + 7), []],
    ['UTF-16LE with a BOM, an odd length', Buffer.concat([Buffer.from([0xff, 0xfe]), fill(utf16le('<LOG>Сбой</LOG>\r\n'), 2 * MiB + 1)]), []],
    ['UTF-16LE without a BOM', fill(utf16le('line of a log\r\n'), 2 * MiB), []],
    ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), fill(utf16le('big endian\n').swap16(), 2 * MiB)]), []],
    ['a UTF-16 report PUT elsewhere', bodyOf(hugeReport('attributes', 100_000)), []],
    ['UTF-16 with a stray NUL (binary)', Buffer.concat([Buffer.from([0xff, 0xfe]), fill(utf16le('<MACH\u0000INE/>'), 2 * MiB)]), []],
    ['XML with a charset from Content-Type', fill(Buffer.from('<e a="\xe9"/>\n', 'latin1'), 2 * MiB), [['Content-Type', 'application/xml; charset=iso-8859-1']]],
    ['text with a terminal escape in its first MiB', fill(Buffer.from('ok \x1b[31mred\n', 'latin1'), 2 * MiB), []],
  ];
  test.each(cases)('%s', (_name, body, headers) => {
    expect(body.length).toBeGreaterThan(VIEW_DECODE_BYTES);
    const ctx: BodyContext = { headers, isResponse: false, requestMethod: 'POST', requestTarget: '/logs/in' };
    const whole = decodeBody(body, ctx);
    const part = decodeBody(body.subarray(0, VIEW_DECODE_BYTES), ctx, body.length);
    expect(part).toEqual(whole);
    expect(whole.kind === 'binary' || whole.cut?.totalBytes === body.length).toBe(true);
    const kept = { length: body.length, head: body.subarray(0, VIEW_DECODE_BYTES), sha256: '', framing: 'content-length', trailers: [], complete: true, headOnly: true } as const;
    expect(bodyProblems(part, kept)).toEqual(bodyProblems(whole, { ...kept, data: body, headOnly: undefined }));
  });

  test('the UTF-8 case keeps the text up to the character that straddles the cut', () => {
    const dec = decodeBody(straddle.subarray(0, VIEW_DECODE_BYTES), { headers: [], isResponse: false }, straddle.length);
    expect(dec).toMatchObject({ kind: 'text', charset: { name: 'utf-8', rule: 'utf8' }, cut: { decodedBytes: MiB - 1, totalBytes: straddle.length } });
    expect(dec.text).toBe('x'.repeat(MiB - 1));
  });
});
