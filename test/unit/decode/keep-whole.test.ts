// How much of a request body over 1 MiB is kept in memory (requestBodyKeep), judged from its
// first bytes: whole for a level-1 report or a CAB, the first 64 KiB of binary, the first MiB
// (all that is decoded of it) of anything else.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Header, RequestHead } from '../../../src/model.js';
import { requestBodyKeep } from '../../../src/domain/body/keep-whole.js';
import { withoutCutCharacter } from '../../../src/domain/body/charset.js';
import { decodeBody, VIEW_DECODE_BYTES } from '../../../src/domain/body/views.js';
import { PART_KEPT_BYTES } from '../../../src/pipeline/http/body-assembler.js';
import { encodeUtf16, writeReportXml } from '../../../src/domain/report/report-writer.js';
import { baseSpec } from '../../helpers/crafted.js';

const head = (method: string, target: string, headers: Header[] = []): RequestHead =>
  ({ kind: 'request', method, target, version: 'HTTP/1.1', headers, raw: Buffer.alloc(0) });
const upload = head('POST', '/upload', [['Content-Type', 'application/octet-stream']]);

/** Deterministic bytes that look like compressed data (every byte value, no pattern). */
function noise(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = Buffer.alloc(0); i < n; i += 32) {
    block = createHash('sha256').update(block).update(String(i)).digest();
    block.copy(out, i);
  }
  return out;
}
/** `text` repeated to the first PART_KEPT_BYTES of a longer body. */
const first = (text: Buffer): Buffer => Buffer.concat(Array(Math.ceil(PART_KEPT_BYTES / text.length) + 1).fill(text)).subarray(0, PART_KEPT_BYTES);

describe('requestBodyKeep', () => {
  test('binary data keeps its first 64 KiB: noise, a zip, a minidump, gzip-encoded text', () => {
    expect(requestBodyKeep(upload, noise(PART_KEPT_BYTES))).toBe(PART_KEPT_BYTES);
    expect(requestBodyKeep(upload, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), noise(PART_KEPT_BYTES - 4)]))).toBe(PART_KEPT_BYTES);
    expect(requestBodyKeep(upload, Buffer.concat([Buffer.from('MDMP', 'latin1'), noise(PART_KEPT_BYTES - 4)]))).toBe(PART_KEPT_BYTES);
    const gz = head('POST', '/logs', [['Content-Encoding', 'gzip']]);
    expect(requestBodyKeep(gz, first(Buffer.from('plain words\n')))).toBe(PART_KEPT_BYTES);
  });

  test('a level-1 report (POST to stage2.htm) and a CAB are kept whole, even when binary', () => {
    expect(requestBodyKeep(head('POST', '/stage2.htm'), noise(PART_KEPT_BYTES))).toBe('whole');
    expect(requestBodyKeep(head('POST', 'http://cer.example.test/dw/stage2.htm?x=1'), noise(PART_KEPT_BYTES))).toBe('whole');
    expect(requestBodyKeep(upload, Buffer.concat([Buffer.from('MSCF', 'latin1'), noise(PART_KEPT_BYTES - 4)]))).toBe('whole');
  });

  test('text and XML keep their first MiB: ASCII, UTF-8 cut inside a character, an XML log', () => {
    expect(requestBodyKeep(upload, first(Buffer.from('line of a log file\r\n')))).toBe(VIEW_DECODE_BYTES);
    expect(requestBodyKeep(upload, first(Buffer.from('<event id="1"><msg>ok</msg></event>\n')))).toBe(VIEW_DECODE_BYTES);
    // Cyrillic UTF-8 cut after the lead byte of a character: that byte is left out, so the part
    // is judged (and later decoded) as the UTF-8 it is, not as windows-1252.
    const cyrillic = Buffer.from('Сбой приложения: модуль не найден. '.repeat(2000), 'utf8');
    let cut = PART_KEPT_BYTES;
    while ((cyrillic[cut - 1]! & 0xc0) !== 0xc0) cut--;
    const part = cyrillic.subarray(0, cut);
    expect(requestBodyKeep(upload, part)).toBe(VIEW_DECODE_BYTES);
    expect(withoutCutCharacter(part).length).toBe(cut - 1);
    expect(decodeBody(withoutCutCharacter(part), { headers: [], isResponse: false }).charset?.name).toBe('utf-8');
  });

  test('UTF-16 keeps its first MiB in every form, even one the decoder calls binary (a NUL inside a tag)', () => {
    const xml = writeReportXml(baseSpec({ machine: 'WKS-0001' }));
    const withNul = xml.replace('<MACHINE', '<MACH\u0000INE');
    const bom = encodeUtf16(withNul);
    expect(bom.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const other = head('POST', '/reports/in');
    expect(decodeBody(bom, { headers: [], isResponse: false, requestMethod: 'POST', requestTarget: '/reports/in' }).kind).toBe('binary');
    expect(requestBodyKeep(other, first(bom))).toBe(VIEW_DECODE_BYTES);
    expect(requestBodyKeep(other, first(bom.subarray(2)))).toBe(VIEW_DECODE_BYTES); // no BOM
    expect(requestBodyKeep(other, first(Buffer.from('\ufeffplain text', 'utf16le').swap16()))).toBe(VIEW_DECODE_BYTES); // big-endian
  });
});

describe('withoutCutCharacter', () => {
  test('leaves out only an incomplete last UTF-8 character', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    expect(withoutCutCharacter(euro)).toEqual(euro);
    expect(withoutCutCharacter(euro.subarray(0, 3))).toEqual(Buffer.from('a'));
    expect(withoutCutCharacter(euro.subarray(0, 2))).toEqual(Buffer.from('a'));
    const binary = Buffer.from([0x00, 0xff, 0x80, 0x80]);
    expect(withoutCutCharacter(binary)).toEqual(binary);
  });
});
