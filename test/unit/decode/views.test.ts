import { describe, expect, test } from 'vitest';
import { decodeBody, looksBinary, type BodyContext } from '../../../src/domain/body/views.js';
import { readVector, splitVector } from '../../helpers/paths.js';

const request: BodyContext = { headers: [['User-Agent', 'MSDW']], isResponse: false, requestMethod: 'POST', requestTarget: '/stage2.htm' };
const stage2Reply: BodyContext = { headers: [['Content-Type', 'text/plain']], isResponse: true, requestMethod: 'POST', requestTarget: '/stage2.htm' };
const other: BodyContext = { headers: [], isResponse: true, requestMethod: 'GET', requestTarget: '/' };
const le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);

describe('decodeBody picks the view', () => {
  test.each(['level1-appcrash.http', 'level1-hang.http', 'level1-bluescreen.http', 'level1-generic.http'])('%s → wer-report', (name) => {
    const dec = decodeBody(splitVector(name).body, request);
    expect(dec.kind).toBe('wer-report');
    expect(dec.charset).toEqual({ name: 'utf-16le', rule: 'bom' });
    expect(dec.report?.machine?.name).toBe('WKS-0042.lab.example.test');
    expect(dec.report?.user).toBe('LAB\\jdoe');
    expect(dec.xml?.length).toBeGreaterThan(0);
    expect(dec.notes).toEqual([]);
  });

  test('WER report without BOM and without a request context', () => {
    const body = readVector('level1-appcrash.body.xml').subarray(2);
    const dec = decodeBody(body, { headers: [], isResponse: false });
    expect(dec.kind).toBe('wer-report');
    expect(dec.charset).toEqual({ name: 'utf-16le', rule: 'utf16-pattern' });
    expect(dec.report?.parameters[6]?.meaning).toBe('access violation');
  });

  test.each(['level1-response-level2.http', 'level1-response-nolevel2.http', 'level1-response-loose.http'])('%s → level1-response', (name) => {
    const dec = decodeBody(splitVector(name).body, stage2Reply);
    expect(dec.kind).toBe('level1-response');
    expect(dec.charset).toEqual({ name: 'windows-1252', rule: 'protocol' });
    expect(dec.level1?.values.BucketTable).toBe('5');
  });

  test('level 1 response bodies are windows-1252, not UTF-8 (MS-CER2 §2.2.2)', () => {
    const body = Buffer.concat([Buffer.from('Bucket=1\r\nDumpFile=\\caf'), Buffer.from([0xe9]), Buffer.from('\\x.cab\r\n')]);
    const dec = decodeBody(body, stage2Reply);
    expect(dec.level1?.values.DumpFile).toBe('\\café\\x.cab');
  });

  test('Key=value text is recognised without the request context', () => {
    expect(decodeBody(Buffer.from('Bucket=5\r\nBucketTable=1\r\n'), other).kind).toBe('level1-response');
  });

  test('a PUT with a CAB → binary with the magic named', () => {
    const dec = decodeBody(splitVector('level2-put.http').body, { headers: [], isResponse: false, requestMethod: 'PUT' });
    expect(dec.kind).toBe('binary');
    expect(dec.notes).toEqual(['MS-CAB archive (MSCF)']);
  });

  test.each([
    [Buffer.concat([Buffer.from('MDMP'), Buffer.alloc(60, 0x93)]), 'minidump (MDMP)'],
    [Buffer.from('PK\x03\x04rest', 'latin1'), 'zip archive (PK)'],
    [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 'gzip data'],
  ])('magic %#', (bytes, note) => {
    expect(decodeBody(bytes, other)).toEqual({ kind: 'binary', notes: [note] });
  });

  test('control-heavy bytes → binary; Content-Encoding is noted', () => {
    expect(decodeBody(Buffer.from([1, 2, 3, 4, 5, 0x41, 0x42, 0, 7, 8]), other).kind).toBe('binary');
    const gz = decodeBody(Buffer.from('not really gzip'), { ...other, headers: [['Content-Encoding', 'gzip']] });
    expect(gz).toEqual({ kind: 'binary', notes: ['Content-Encoding gzip: shown as received, not decompressed'] });
  });

  test('empty', () => {
    expect(decodeBody(Buffer.alloc(0), stage2Reply)).toEqual({ kind: 'empty', notes: [] });
  });

  test('plain text and JSON → text', () => {
    expect(decodeBody(Buffer.from('hello\nworld\n'), other)).toEqual({
      kind: 'text', charset: { name: 'utf-8', rule: 'utf8' }, text: 'hello\nworld\n', notes: [],
    });
    expect(decodeBody(Buffer.from('{"ok":true}'), { ...other, headers: [['Content-Type', 'application/json']] }).kind).toBe('text');
  });

  test('non-WER XML → xml; HTML stays text', () => {
    const dec = decodeBody(Buffer.from('<?xml version="1.0"?><status code="1"/>'), other);
    expect(dec.kind).toBe('xml');
    expect(dec.xml?.[1]?.name).toBe('status');
    expect(decodeBody(Buffer.from('<html><body>hi</body></html>'), { ...other, headers: [['Content-Type', 'text/html']] }).kind).toBe('text');
  });

  test('malformed XML → text with the parse error in notes', () => {
    const dec = decodeBody(le('<WERREPORT>\r\n<USERINFO username="x">\r\n</WERREPORT>'), request);
    expect(dec.kind).toBe('text');
    expect(dec.text).toContain('<USERINFO');
    expect(dec.notes).toHaveLength(1);
    expect(dec.notes[0]).toMatch(/^XML parse failed at line 3, column \d+: .*; shown as text$/);
  });

  test('a terminal escape that only exists after UTF-16 decoding stays in the text (escaped by the printer)', () => {
    const dec = decodeBody(le('plain \x1b[31mred\x1b[0m text'), other);
    expect(dec.kind).toBe('text');
    expect(dec.text).toBe('plain \x1b[31mred\x1b[0m text');
  });
});

describe('looksBinary', () => {
  test('thresholds', () => {
    expect(looksBinary('')).toBe(false);
    expect(looksBinary('tab\tnew\r\nline')).toBe(false);
    expect(looksBinary('a\0b')).toBe(true);
    expect(looksBinary('\x01\x02\x03abcdefg')).toBe(true);
    expect(looksBinary('\uFFFD\uFFFDab')).toBe(true);
  });
});
