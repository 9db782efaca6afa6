// A body over VIEW_DECODE_BYTES is decoded by its beginning for the views that only show it
// (text, XML, binary sniff): the thread that serves sockets must not decode 20 MiB of text per
// upload. A level-1 report (a POST to stage2.htm) is still decoded whole: its answer, folder and
// checks need all of it.
import { describe, expect, test } from 'vitest';
import { decodeBody, VIEW_DECODE_BYTES, type BodyContext } from '../../../src/domain/body/views.js';
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

  test('the charset is told by all of the bytes: a non-UTF-8 byte past the limit makes it windows-1252', () => {
    const body = Buffer.concat([Buffer.from('abcdef'), Buffer.from([0xe9])]);
    const d = decodeTextPrefix(body, 4);
    expect(d).toMatchObject({ charset: 'windows-1252', rule: 'fallback', decodedBytes: 4, text: 'abcd' });
  });

  test('under the limit: everything', () => {
    expect(decodeTextPrefix(Buffer.from('abc'), 10)).toMatchObject({ decodedBytes: 3, text: 'abc' });
  });
});
