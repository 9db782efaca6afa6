import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Body } from '../../../src/model.js';
import { decodeBody, type BodyContext } from '../../../src/domain/body/views.js';
import { formatBody, toBodyJson } from '../../../src/render/format-body.js';
import { splitVector } from '../../helpers/paths.js';
import { marked, plain } from './paints.js';

function makeBody(data: Buffer, over: Partial<Body> = {}): Body {
  return {
    length: data.length, data, head: data.subarray(0, 64), sha256: createHash('sha256').update(data).digest('hex'),
    framing: 'content-length', trailers: [], complete: true, ...over,
  };
}

const request: BodyContext = { headers: [], isResponse: false, requestMethod: 'POST', requestTarget: '/stage2.htm' };
const reply: BodyContext = { headers: [], isResponse: true, requestMethod: 'POST', requestTarget: '/stage2.htm' };
const other: BodyContext = { headers: [], isResponse: true };

function render(data: Buffer, ctx: BodyContext, opts = { hexDump: false }, over: Partial<Body> = {}): string[] {
  const body = makeBody(data, over);
  return formatBody(decodeBody(data, ctx), body, plain, opts);
}

describe('formatBody', () => {
  test('WER report: header line, crash summary, then the XML', () => {
    const data = splitVector('level1-appcrash.http').body;
    const sha = createHash('sha256').update(data).digest('hex');
    const lines = render(data, request);
    expect(lines[0]).toBe(`body 2376 bytes · WER report · utf-16le (BOM) · sha256 ${sha.slice(0, 16)}…`);
    expect(lines[1]).toBe('WER report · APPCRASH · Stopped working');
    expect(lines).toContain('    6  │ Exception Code         │ c0000005         │ access violation');
    const blank = lines.indexOf('');
    expect(lines[blank + 1]).toBe('<?xml version="1.0" encoding="UTF-16"?>');
    expect(lines.at(-1)).toBe('</WERREPORT>');
  });

  test('level 1 response: aligned lines and the explanation', () => {
    const lines = render(splitVector('level1-response-loose.http').body, reply);
    expect(lines.slice(1)).toEqual([
      'Response    =',
      'Bucket      = 1003',
      'BucketTable = 5',
      '→ Response is empty: nothing to show to the user',
      '→ Bucket 1003 in table 5',
      '→ no iData: the conversation ends after level 1',
    ]);
    expect(lines[0]).toMatch(/^body 44 bytes · level 1 response · windows-1252 \(MS-CER2 §2\.2\.2\) · sha256 /);
  });

  test('text: escaped, capped at maxTextLines', () => {
    const data = Buffer.from('one\r\ntwo \x1b[2J\r\nthree\r\nfour\r\n');
    const body = makeBody(data, { complete: false, framing: 'until-close' });
    const lines = formatBody(decodeBody(data, other), body, marked, { hexDump: false, maxTextLines: 2 });
    expect(lines[0]).toMatch(/^body 28 bytes · text · utf-8 \(valid UTF-8\) · incomplete · sha256 /);
    expect(lines.slice(1)).toEqual(['one', 'two ⟦\\x1b⟧[2J', '… 2 more lines']);
  });

  test('UTF-16LE body with ESC: escaped after decoding', () => {
    const data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hi \x1b[31mred', 'utf16le')]);
    const lines = render(data, other);
    expect(lines[1]).toBe('hi \\x1b[31mred');
    expect(lines.join('\n')).not.toContain('\x1b');
  });

  test('malformed XML: note, then the text', () => {
    const data = Buffer.from('<WERREPORT><USERINFO></WERREPORT>');
    const lines = render(data, request);
    expect(lines[1]).toMatch(/^note: XML parse failed at line 1, column \d+: .*; shown as text$/);
    expect(lines[2]).toBe('<WERREPORT><USERINFO></WERREPORT>');
  });

  test('binary: note, hexdump head of 256 bytes, length and sha256', () => {
    const data = splitVector('level2-put.http').body;
    const sha = createHash('sha256').update(data).digest('hex');
    const lines = render(data, { headers: [], isResponse: false, requestMethod: 'PUT' });
    expect(lines[1]).toBe('note: MS-CAB archive (MSCF)');
    expect(lines[2]).toBe('00000000  4d 53 43 46 00 00 00 00  5e 05 00 00 00 00 00 00  |MSCF....^.......|');
    expect(lines).toContain(`… ${data.length - 256} more bytes`);
    expect(lines.at(-1)).toBe(`1374 bytes, sha256 ${sha}`);
  });

  test('hexDump option adds a hexdump of the whole body', () => {
    const lines = render(Buffer.from('Bucket=1\r\n'), reply, { hexDump: true });
    expect(lines.slice(-2)).toEqual([
      'hexdump:',
      '00000000  42 75 63 6b 65 74 3d 31  0d 0a                    |Bucket=1..|',
    ]);
  });

  test('body too large to keep: head hexdump, sha256, --max-body-bytes hint', () => {
    const head = Buffer.from('MSCF\0\0\0\0', 'latin1');
    const body: Body = { length: 500_000_000, head, sha256: 'ab'.repeat(32), framing: 'chunked', trailers: [], complete: true };
    const lines = formatBody({ kind: 'empty', notes: [] }, body, plain, { hexDump: false });
    expect(lines[0]).toBe(`body 500000000 bytes · chunked · sha256 ${'ab'.repeat(8)}…`);
    expect(lines[1]).toMatch(/too large to decode in memory.*--max-body-bytes/);
    expect(lines[2]).toMatch(/^00000000  4d 53 43 46/);
    expect(lines.at(-1)).toBe(`500000000 bytes, sha256 ${'ab'.repeat(32)}`);
  });

  test('empty body: just the header line', () => {
    expect(render(Buffer.alloc(0), reply)).toEqual(['body 0 bytes']);
  });
});

describe('toBodyJson', () => {
  test('WER report: text and report as plain JSON', () => {
    const data = splitVector('level1-appcrash.http').body;
    const json = toBodyJson(decodeBody(data, request), makeBody(data)) as Record<string, unknown>;
    expect(json).toMatchObject({ length: 2376, complete: true, framing: 'content-length', kind: 'wer-report', charset: 'utf-16le', charsetRule: 'bom', notes: [] });
    expect(typeof json.text).toBe('string');
    expect(json.base64).toBeUndefined();
    const roundTrip = JSON.parse(JSON.stringify(json));
    expect(roundTrip.report.machine.name).toBe('WKS-0042.lab.example.test');
    expect(roundTrip.report.event.time.iso).toBe('2024-05-14T09:26:53.123Z');
  });

  test('level 1 response and binary', () => {
    const l1 = Buffer.from('Bucket=1\r\n');
    expect(toBodyJson(decodeBody(l1, reply), makeBody(l1))).toMatchObject({ kind: 'level1-response', charsetRule: 'protocol', text: 'Bucket=1\r\n', level1: { values: { Bucket: '1' } } });
    const bin = Buffer.from('MDMP\0\0\0\0', 'latin1');
    const json = toBodyJson(decodeBody(bin, other), makeBody(bin)) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'binary', base64: bin.toString('base64'), notes: ['minidump (MDMP)'] });
    expect(json.text).toBeUndefined();
  });

  test('too large to keep', () => {
    const body: Body = { length: 10, head: Buffer.alloc(4), sha256: '00', framing: 'content-length', trailers: [], complete: false };
    expect(toBodyJson({ kind: 'empty', notes: [] }, body)).toEqual({
      length: 10, sha256: '00', complete: false, framing: 'content-length', kind: 'binary',
      notes: ['too large to decode in memory (see --max-body-bytes)'],
    });
  });
});
