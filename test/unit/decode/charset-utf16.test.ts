// decodeWith reads UTF-16LE whose code units all fit in one byte without iconv-lite (as a
// one-byte string); the characters must be exactly what iconv-lite gives, in every case.
import { describe, expect, test } from 'vitest';
import iconv from 'iconv-lite';
import { decodeText, decodeWith } from '../../../src/domain/body/charset.js';
import { readVector } from '../../helpers/paths.js';

const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const viaIconv = (b: Buffer): string => iconv.decode(b, 'utf-16le', { stripBOM: false });

describe('UTF-16LE decoding', () => {
  test.each([
    ['ASCII', '<?xml version="1.0"?><WERREPORT a="b"/>'],
    ['Latin-1', 'Grüße, café, ÿ\u0080\u00a0'],
    ['NUL and controls', 'a\u0000b\u001b[31m\u007f'],
    ['wider', 'Grüße → 😀 Ā'],
    ['lone surrogates', 'x\ud800y\udc00'],
    ['a BOM inside', '\ufeffabc'],
    ['empty', ''],
  ])('%s: same characters as iconv-lite', (_name, s) => {
    expect(decodeWith(le(s), 'utf-16le')).toBe(viaIconv(le(s)));
    expect(decodeWith(le(s), 'utf-16le')).toBe(s);
  });

  test('every single code unit 0x0000-0x01ff, alone and in text', () => {
    for (let u = 0; u < 0x200; u++) {
      const b = le(`a${String.fromCharCode(u)}z`);
      expect(decodeWith(b, 'utf-16le')).toBe(viaIconv(b));
    }
  });

  test('a BOM is skipped by length; an odd last byte still becomes U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), le('hi'), Buffer.from([0x41])]);
    expect(decodeWith(bytes, 'utf-16le', 2)).toBe('hi\ufffd');
    expect(decodeText(bytes).text).toBe('hi\ufffd');
  });

  test('the level-1 vector decodes as before', () => {
    const body = readVector('level1-appcrash.body.xml');
    expect(decodeText(body).text).toBe(viaIconv(body.subarray(2)));
  });
});
