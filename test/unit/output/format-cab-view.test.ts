import { describe, expect, test } from 'vitest';
import { parseCabView, type CabView } from '../../../src/domain/cab/cab-view.js';
import { formatCabView } from '../../../src/render/format-cab-view.js';
import { readVector } from '../../helpers/paths.js';
import { marked, plain } from './paints.js';

const MSZIP = readVector('sample-report-mszip.cab');

describe('formatCabView', () => {
  test('the MSZIP vector: listing, then one block per file', () => {
    const lines = formatCabView(parseCabView(MSZIP), plain);
    expect(lines.slice(5)).toEqual([
      '┌ WER4F2A.tmp.WERInternalMetadata.xml',
      '│ WER metadata',
      '│ OS        Windows NT 10.0 · build 19045 · (0x30): Windows 10 Pro · Professional',
      '│ Locale    1033 0x0409 en-US',
      '│ Event     APPCRASH',
      '│   P0  widget.exe',
      '┌ WER51C0.tmp.Version.txt',
      '│ utf-16le (bom) · 7 lines',
      '│ Windows NT Version 10.0 Build: 19045',
      '│ Product (0x30): Windows 10 Pro',
      '│ Edition: Professional',
      '│ BuildString: synthetic test vector',
      '│ Flavor: Multiprocessor Free',
      '│ Architecture: X64',
      '│ LCID: 1033',
      '┌ WER5A11.tmp.mdmp',
      '│ minidump · 2024-12-19T18:44:07Z · 0 modules',
    ]);
    expect(lines[0]).toMatch(/^cabinet · 3 files · 1 folder \(MSZIP\)/);
    expect(lines.slice(2, 5).map((l) => l.trim().split(/\s+/).at(-1))).toEqual([
      'WER4F2A.tmp.WERInternalMetadata.xml', 'WER51C0.tmp.Version.txt', 'WER5A11.tmp.mdmp',
    ]);
  });

  test('long text files say how many lines are left out', () => {
    const view = parseCabView(MSZIP, 3);
    const lines = formatCabView(view, plain);
    const at = lines.indexOf('┌ WER51C0.tmp.Version.txt');
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '│ utf-16le (bom) · 7 lines', '│ Windows NT Version 10.0 Build: 19045', '│ Product (0x30): Windows 10 Pro',
      '│ Edition: Professional', '│ … 4 more lines',
    ]);
  });

  test('names, text, metadata values and notes from the CAB are escaped', () => {
    const base = parseCabView(MSZIP);
    const view: CabView = {
      cab: { ...base.cab, files: [], folders: [] },
      entries: [
        { name: 'evil\x1b[2J.txt', size: 3, kind: 'text', notes: ['note \x07'], text: { charset: 'utf-8', rule: 'utf8', lines: ['a\x1b]0;title\x07b', 'x\u202Ey'], totalLines: 2 } },
        {
          name: 'm.xml', size: 1, kind: 'metadata', notes: [],
          metadata: { os: { Build: '1\x1b[31m' }, eventType: 'APP\rCRASH', parameters: [{ id: 0, value: 'v\x00' }], dynamic: [{ name: 'n\x1b', value: 'd\n' }], sections: {} },
        },
      ],
    };
    const out = formatCabView(view, marked).join('\n');
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    expect(out).toContain('┌ evil⟦\\x1b⟧[2J.txt');
    expect(out).toContain('│ a⟦\\x1b⟧]0;title⟦\\x07⟧b');
    expect(out).toContain('│ x⟦\\u202e⟧y');
    expect(out).toContain('│ note ⟦\\x07⟧');
    expect(out).toContain('│ OS        build 1⟦\\x1b⟧[31m');
    expect(out).toContain('│ Event     APP⟦\\r⟧CRASH');
    expect(out).toContain('│   P0  v⟦\\x00⟧');
    expect(out).toContain('│   n⟦\\x1b⟧  d⟦\\n⟧');
  });
});
