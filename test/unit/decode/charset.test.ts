import { describe, expect, test } from 'vitest';
import iconv from 'iconv-lite';
import { charsetFromContentType, decodeText, decodeWith, detectCharset } from '../../../src/domain/body/charset.js';
import { readVector } from '../../helpers/paths.js';

const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const be = (s: string): Buffer => le(s).swap16();

describe('detectCharset rules, in order', () => {
  test('BOM: UTF-8, UTF-16LE, UTF-16BE', () => {
    expect(detectCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ charset: 'utf-8', rule: 'bom', bomLength: 3 });
    expect(detectCharset(Buffer.concat([Buffer.from([0xff, 0xfe]), le('<a/>')]))).toEqual({ charset: 'utf-16le', rule: 'bom', bomLength: 2 });
    expect(detectCharset(Buffer.concat([Buffer.from([0xfe, 0xff]), be('<a/>')]))).toEqual({ charset: 'utf-16be', rule: 'bom', bomLength: 2 });
  });

  test('BOM beats Content-Type', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), le('hi')]);
    expect(detectCharset(bytes, 'text/plain; charset=utf-8').rule).toBe('bom');
  });

  test('BOM-less UTF-16LE and UTF-16BE by the NUL pattern', () => {
    expect(detectCharset(le('<?xml version="1.0"?><WERREPORT/>'))).toEqual({ charset: 'utf-16le', rule: 'utf16-pattern', bomLength: 0 });
    expect(detectCharset(be('<?xml version="1.0"?><WERREPORT/>'))).toEqual({ charset: 'utf-16be', rule: 'utf16-pattern', bomLength: 0 });
    expect(decodeText(le('Grüße')).text).toBe('Grüße');
  });

  test('zero-heavy binary is not mistaken for UTF-16', () => {
    const bin = Buffer.alloc(64);
    bin.write('MDMP', 0, 'latin1');
    expect(detectCharset(bin).rule).not.toBe('utf16-pattern');
  });

  test('Content-Type charset', () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in latin1
    expect(detectCharset(bytes, 'text/plain; charset=ISO-8859-1')).toEqual({ charset: 'iso-8859-1', rule: 'content-type', bomLength: 0 });
    expect(decodeText(bytes, 'text/plain;charset="iso-8859-1"').text).toBe('café');
    expect(charsetFromContentType('text/plain; charset=no-such-charset')).toBeUndefined();
    // iconv-lite would find these (it drops non-alphanumerics); they are not charset tokens
    expect(charsetFromContentType('text/plain; charset=windo\x1aws1252')).toBeUndefined();
    expect(charsetFromContentType('text/plain; charset=windows1252\x80')).toBeUndefined();
    expect(charsetFromContentType('text/plain; charset=windows1252')).toBe('windows1252');
    expect(charsetFromContentType('text/plain')).toBeUndefined();
  });

  test('XML declaration on ASCII-compatible bytes', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), Buffer.from([0xe9]), Buffer.from('</a>')]);
    expect(detectCharset(bytes)).toEqual({ charset: 'iso-8859-1', rule: 'xml-declaration', bomLength: 0 });
    expect(decodeText(bytes).text).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
  });

  test('a UTF-16 declaration on 8-bit bytes is not trusted', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a/>');
    expect(detectCharset(bytes)).toEqual({ charset: 'utf-8', rule: 'utf8', bomLength: 0 });
  });

  test('valid UTF-8', () => {
    expect(detectCharset(Buffer.from('Grüße', 'utf8'))).toEqual({ charset: 'utf-8', rule: 'utf8', bomLength: 0 });
    expect(detectCharset(Buffer.from('plain ascii'))).toMatchObject({ rule: 'utf8' });
  });

  test('invalid UTF-8 falls back to windows-1252', () => {
    const bytes = Buffer.from([0x80, 0x20, 0x66, 0xfc, 0x72]);
    expect(detectCharset(bytes)).toEqual({ charset: 'windows-1252', rule: 'fallback', bomLength: 0 });
    expect(decodeText(bytes).text).toBe('€ für');
  });
});

describe('decodeText', () => {
  test('strips the BOM from the text and reports its length', () => {
    const r = decodeText(readVector('level1-appcrash.body.xml'));
    expect(r).toMatchObject({ charset: 'utf-16le', rule: 'bom', bomLength: 2 });
    expect(r.text.startsWith('<?xml version="1.0" encoding="UTF-16"?><WERREPORT')).toBe(true);
  });

  test('odd-length UTF-16 keeps a U+FFFD for the dangling byte instead of throwing', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), le('AB'), Buffer.from([0x43])]);
    expect(decodeText(bytes).text).toBe('AB\uFFFD');
    const noBom = Buffer.concat([le('ABCD'), Buffer.from([0x45])]);
    expect(decodeText(noBom)).toMatchObject({ rule: 'utf16-pattern', text: 'ABCD\uFFFD' });
  });

  test('empty input', () => {
    expect(decodeText(Buffer.alloc(0))).toEqual({ charset: 'utf-8', rule: 'utf8', bomLength: 0, text: '' });
  });

  test('UTF-16BE round trip via iconv-lite', () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('Ωmega', 'utf-16be')]);
    expect(decodeText(bytes).text).toBe('Ωmega');
  });
});

describe('decodeWith, UTF-8', () => {
  test('gives what iconv-lite gives, for valid and invalid bytes alike', () => {
    let seed = 3;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const samples = [Buffer.from('h\u00e9llo \u20ac \u{1F600}'), Buffer.from([0xef, 0xbb, 0xbf, 0x41]), Buffer.from([0x41, 0xc3]), Buffer.from([0xed, 0xa0, 0x80])];
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.alloc(random(24));
      for (let j = 0; j < b.length; j++) b[j] = random(2) ? random(128) : random(256);
      samples.push(b);
    }
    for (const b of samples) expect(decodeWith(b, 'utf-8')).toBe(iconv.decode(b, 'utf-8', { stripBOM: false }));
  });
});
