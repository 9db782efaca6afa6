import { describe, expect, test } from 'vitest';
import { CAB_TEXT_PREVIEW_LINES, isCab, parseCabView, summariseFile } from '../../../src/domain/cab/cab-view.js';
import { readVector } from '../../helpers/paths.js';

const MSZIP = readVector('sample-report-mszip.cab');
const PLAIN = readVector('sample-report.cab');
const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);

describe('parseCabView memory guard', () => {
  test('files of a folder that inflates beyond the view limit are listed as too large, not decoded', () => {
    const whole = parseCabView(MSZIP);
    const sizes = whole.entries.map((e) => e.size);
    // A limit just below the folder's end: the last file no longer fits, the first ones do.
    const limit = sizes.reduce((a, b) => a + b, 0) - 1;
    const v = parseCabView(MSZIP, CAB_TEXT_PREVIEW_LINES, limit);
    expect(v.entries.map((e) => e.kind)).toEqual(['metadata', 'text', 'unreadable']);
    expect(v.entries[2]!.error!.code).toBe('too-large');
  });
});

describe('parseCabView on the shared vectors', () => {
  test('sample-report-mszip.cab: metadata, text and the (fake) minidump', () => {
    const v = parseCabView(MSZIP);
    expect(v.cab.problems).toEqual([]);
    expect(v.entries.map((e) => [e.name, e.size, e.kind])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 850, 'metadata'],
      ['WER51C0.tmp.Version.txt', 380, 'text'],
      ['WER5A11.tmp.mdmp', 96008, 'minidump'],
    ]);
    const [meta, version, dump] = v.entries;
    expect(meta!.metadata).toMatchObject({
      eventType: 'APPCRASH', locale: '1033 0x0409 en-US', parameters: [{ id: 0, value: 'widget.exe' }],
      os: { WindowsNTVersion: '10.0', Build: '19045', Product: '(0x30): Windows 10 Pro', Edition: 'Professional', LCID: '1033' },
    });
    expect(meta!.text).toMatchObject({ charset: 'utf-16le', rule: 'bom', totalLines: 14 });
    expect(meta!.text!.lines).toHaveLength(CAB_TEXT_PREVIEW_LINES);
    expect(version!.text).toEqual({
      charset: 'utf-16le', rule: 'bom', totalLines: 7,
      lines: ['Windows NT Version 10.0 Build: 19045', 'Product (0x30): Windows 10 Pro', 'Edition: Professional',
        'BuildString: synthetic test vector', 'Flavor: Multiprocessor Free', 'Architecture: X64', 'LCID: 1033'],
    });
    // The vector's dump is "MDMP", version 0xa793 and filler: a header with no streams, so
    // no system, exception or module facts come out of it.
    expect(dump!.minidump!.header).toMatchObject({ version: 0xa793, streams: 0, directoryRva: 0 });
    expect(dump!.minidump!.streams).toEqual([]);
    expect(dump!.minidump!.modules).toEqual([]);
    expect(dump!.minidump!.system).toBeUndefined();
    expect(dump!.minidump!.exception).toBeUndefined();
    expect(dump!.notes).toEqual([]);
  });

  test('sample-report.cab (stored): the same two small files', () => {
    const v = parseCabView(PLAIN);
    expect(v.entries.map((e) => [e.name, e.kind])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 'metadata'], ['WER51C0.tmp.Version.txt', 'text'],
    ]);
  });

  test('a preview length can be chosen', () => {
    expect(parseCabView(PLAIN, 2).entries[1]!.text!.lines).toEqual(['Windows NT Version 10.0 Build: 19045', 'Product (0x30): Windows 10 Pro']);
  });

  test('a truncated cab: files whose data is missing are unreadable, with an error', () => {
    const v = parseCabView(MSZIP.subarray(0, 2000));
    expect(v.cab.header).toBeDefined();
    // cut inside the first (and only) data block: every file is listed, none readable, each
    // with the reason and where the cabinet ends
    const cut = { code: 'truncated', message: 'CFDATA block 1 of folder 0 is cut short: the cabinet ends at 2000' };
    expect(v.entries.map((e) => [e.name, e.kind, e.error])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 'unreadable', cut],
      ['WER51C0.tmp.Version.txt', 'unreadable', cut],
      ['WER5A11.tmp.mdmp', 'unreadable', cut],
    ]);
  });

  test('not a cab at all: no header, no entries, a problem', () => {
    const v = parseCabView(Buffer.from('MSCX not a cabinet'));
    expect(v.cab.header).toBeUndefined();
    expect(v.entries).toEqual([]);
    expect(v.cab.problems.length).toBeGreaterThan(0);
  });

  test('isCab', () => {
    expect(isCab(MSZIP)).toBe(true);
    expect(isCab(Buffer.from('MSC'))).toBe(false);
    expect(isCab(Buffer.from('PK\x03\x04'))).toBe(false);
  });
});

describe('summariseFile', () => {
  test('a .dmp without MDMP signature is binary, with a note', () => {
    expect(summariseFile('x.dmp', Buffer.from('not a dump'))).toEqual({
      name: 'x.dmp', size: 10, kind: 'binary', notes: ['named like a dump but has no MDMP signature'],
    });
  });

  test('binary content with a neutral name is binary; a text name forces text', () => {
    const bin = Buffer.from([0x00, 0x01, 0x02, 0x03, 0x10, 0x11]);
    expect(summariseFile('blob.bin', bin).kind).toBe('binary');
    expect(summariseFile('blob.log', bin).kind).toBe('text');
  });

  test('text with LF, CRLF or CR line ends is previewed the same way', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const s = summariseFile('a.txt', Buffer.from(['one', 'two', 'three', ''].join(eol)));
      expect(s.text).toEqual({ charset: 'utf-8', rule: 'utf8', lines: ['one', 'two', 'three'], totalLines: 3 });
    }
  });

  test('metadata that does not parse falls back to text with a note', () => {
    const s = summariseFile('x.WERInternalMetadata.xml', utf16('<WERReportMetadata><broken>'));
    expect(s.kind).toBe('text');
    expect(s.notes).toHaveLength(1);
    expect(s.notes[0]).toMatch(/^metadata XML did not parse \(.+\); shown as text$/);
  });

  test('an MDMP signature wins over the name', () => {
    const s = summariseFile('readme.txt', Buffer.from('MDMP'));
    expect(s.kind).toBe('minidump');
    expect(s.minidump!.problems.map((p) => p.code)).toContain('truncated');
  });
});
