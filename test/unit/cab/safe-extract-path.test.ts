import { describe, expect, it } from 'vitest';
import { safeExtractPath } from '../../../src/domain/cab/cab-extract.js';

describe('safeExtractPath', () => {
  it.each([
    ['WER1234.tmp.mdmp', 'WER1234.tmp.mdmp'],
    ['..\\..\\evil', 'evil'],
    ['a\\..\\..\\b', 'a/b'],
    ['C:\\x', 'x'],
    ['C:x', 'x'],
    ['\\\\server\\share\\f', 'server/share/f'],
    ['/etc/passwd', 'etc/passwd'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['dir\\COM1\\lpt9.log', 'dir/_COM1/_lpt9.log'],
    ['CONSOLE.txt', 'CONSOLE.txt'],
    ['a/b\\c', 'a/b/c'],
    ['a\0b\0.txt', 'ab.txt'],
    ['evil\0/../../x', 'evil/x'],
    ['trailing. . \\name...', 'trailing/name'],
    ['what?<>|*:"', 'what_______'],
    ['esc\x1b[31m', 'esc_[31m'],
    ['', '_'],
    ['..', '_'],
    ['\\\\\\', '_'],
  ])('%j → %j', (input, want) => {
    expect(safeExtractPath(input)).toBe(want);
  });

  it('bounds segment length (keeping the extension) and depth', () => {
    const long = safeExtractPath(`${'a'.repeat(500)}.mdmp`);
    expect(long.length).toBe(120);
    expect(long.endsWith('.mdmp')).toBe(true);
    expect(safeExtractPath(Array.from({ length: 40 }, (_, i) => `d${i}`).join('\\')).split('/')).toHaveLength(16);
  });
});

describe('safeExtractPath against misleading names', () => {
  it('replaces C1 controls, bidi overrides and lone surrogates, and never splits an emoji', () => {
    expect(safeExtractPath('report\u202etxt.exe')).toBe('report_txt.exe');
    expect(safeExtractPath('a\u0085b\u2066c')).toBe('a_b_c');
    expect(safeExtractPath('x\ud800y')).toBe('x_y');
    expect(safeExtractPath('ok\ud83d\ude00.txt')).toBe('ok\ud83d\ude00.txt');
    // 119 ASCII characters, then emoji: the 120-unit cut would land between a pair's halves.
    const long = safeExtractPath('a'.repeat(119) + '\ud83d\ude00'.repeat(10));
    expect(long).toBe('a'.repeat(119));
    expect(safeExtractPath('a'.repeat(118) + '\ud83d\ude00'.repeat(10))).toBe('a'.repeat(118) + '\ud83d\ude00');
  });
});
