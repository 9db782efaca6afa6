import { describe, expect, it } from 'vitest';
import { safeExtractPath } from '../../../src/decode/wer/cab-extract.js';

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
