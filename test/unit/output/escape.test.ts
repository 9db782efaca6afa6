import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { escapeBytes, escapeControl } from '../../../src/util/escape.js';
import { marked } from './paints.js';

describe('escapeControl', () => {
  test('plain text, backslashes and U+FFFD are untouched', () => {
    expect(escapeControl('C:\\Program Files\\x.exe — ok \uFFFD 漢字 😀')).toBe('C:\\Program Files\\x.exe — ok \uFFFD 漢字 😀');
  });

  test('C0, DEL, C1', () => {
    expect(escapeControl('a\x1b[31mb\x00\x7f\x85\x9b')).toBe('a\\x1b[31mb\\x00\\x7f\\u0085\\u009b');
    expect(escapeControl('\x07bell\x08')).toBe('\\x07bell\\x08');
  });

  test('newlines and tabs: escaped in single-line context, kept with keepNewlines', () => {
    expect(escapeControl('a\tb\r\nc\rd\n')).toBe('a\\tb\\r\\nc\\rd\\n');
    expect(escapeControl('a\tb\r\nc\rd\n', undefined, { keepNewlines: true })).toBe('a\tb\r\nc\\rd\n');
  });

  test('line separators, bidi overrides and isolates', () => {
    expect(escapeControl('x\u2028y\u2029')).toBe('x\\u2028y\\u2029');
    expect(escapeControl('evil\u202egnp.exe')).toBe('evil\\u202egnp.exe');
    expect(escapeControl('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069')).toBe('\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069');
  });

  test('lone surrogates escaped, pairs kept', () => {
    expect(escapeControl('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
    expect(escapeControl('\ud83d\ude00')).toBe('😀');
    expect(escapeControl('end\ud83d')).toBe('end\\ud83d');
  });

  test('escapes are painted with paint.escape, one run at a time', () => {
    expect(escapeControl('a\x1b\x1bb\u202e', marked)).toBe('a⟦\\x1b\\x1b⟧b⟦\\u202e⟧');
  });

  test('an ESC that only appears after UTF-16 decoding is escaped', () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('\x1b[31mred', 'utf16le')]);
    // the raw bytes hold no 0x1b 0x5b sequence a byte-level filter would catch
    expect(body.includes(Buffer.from('\x1b['))).toBe(false);
    const text = decodeText(body).text;
    expect(escapeControl(text)).toBe('\\x1b[31mred');
    expect(escapeControl(text)).not.toContain('\x1b');
  });
});

describe('escapeBytes', () => {
  test('printable ASCII as is, everything else \\xNN', () => {
    expect(escapeBytes(Buffer.from([0x47, 0x45, 0x54, 0x20, 0x00, 0x1b, 0xe9, 0x7f]))).toBe('GET \\x00\\x1b\\xe9\\x7f');
  });

  test('CRLF shown as \\r\\n, followed by a real newline with keepNewlines', () => {
    const b = Buffer.from('POST /stage2.htm HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(escapeBytes(b)).toBe('POST /stage2.htm HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');
    expect(escapeBytes(b, undefined, { keepNewlines: true })).toBe('POST /stage2.htm HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n');
    expect(escapeBytes(Buffer.from('a\r\nb'), marked, { keepNewlines: true })).toBe('a⟦\\r\\n⟧\nb');
  });
});
