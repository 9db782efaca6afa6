import { describe, expect, test } from 'vitest';
import { folderName, safeNamePart } from '../../../src/sinks/save-dir/folder-name.js';
import { T0 } from '../../helpers/factories.js';

describe('safeNamePart', () => {
  test.each([
    ['CON', '_CON'],
    ['con', '_con'],
    ['NUL', '_NUL'],
    ['nul.txt', '_nul.txt'],
    ['COM1', '_COM1'],
    ['com9.log', '_com9.log'],
    ['LPT9', '_LPT9'],
    ['lpt1.tar.gz', '_lpt1.tar.gz'],
    ['AUX', '_AUX'],
    ['PRN.xml', '_PRN.xml'],
    ['COM¹', '_COM¹'],
    ['CONOUT$', '_CONOUT$'],
    ['CONSOLE', 'CONSOLE'],
    ['COM10', 'COM10'],
    ['nullable.exe', 'nullable.exe'],
  ])('reserved device names: %j → %j', (input, want) => {
    expect(safeNamePart(input)).toBe(want);
  });

  test.each([
    ['..', 'unknown'],
    ['...', 'unknown'],
    ['../../etc/passwd', 'etc-passwd'],
    ['a..b', 'a.b'],
    ['C:\\Windows\\System32', 'C-Windows-System32'],
    ['a/b', 'a-b'],
    ['x*?"<>|y', 'x-y'],
    ['tab\there\r\nnl', 'tab-here-nl'],
    ['a\x00\x1b[31mb\x7f\x85c', 'a-[31mb-c'],
    ['evil\u202Etxt.exe', 'evil-txt.exe'],
    ['lone\ud800x', 'lone-x'],
    ['trailing. ', 'trailing'],
    ['.hidden', 'hidden'],
    ['-dash', 'dash'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    ['WKS-0042.lab.example.test', 'WKS-0042.lab.example.test'],
  ])('%j → %j', (input, want) => {
    expect(safeNamePart(input)).toBe(want);
  });

  test('unicode is kept and normalised to NFC', () => {
    expect(safeNamePart('Ärger.exe')).toBe('Ärger.exe');
    expect(safeNamePart('A\u0308rger')).toBe('\u00c4rger');
    expect(safeNamePart('виджет.exe')).toBe('виджет.exe');
  });

  test('length is bounded by code points and never splits a surrogate pair', () => {
    expect(safeNamePart('x'.repeat(100))).toBe('x'.repeat(40));
    expect(safeNamePart('abcdefgh', 5)).toBe('abcde');
    const cut = safeNamePart('a'.repeat(39) + '😀😀');
    expect(cut).toBe('a'.repeat(39) + '😀');
    expect(cut.isWellFormed()).toBe(true);
    expect(safeNamePart('abc.....def', 4)).toBe('abc'); // no trailing dot after the cut
  });
});

describe('folderName', () => {
  test('UTC time, safe parts and a number', () => {
    expect(folderName(T0, ['WKS-0042.lab.example.test', 'widget.exe', 'APPCRASH'], 1))
      .toBe('20240514T092654Z_WKS-0042.lab.example.test_widget.exe_APPCRASH_1');
  });

  test('missing and hostile parts', () => {
    expect(folderName(T0 + 999, [undefined, '..\\..\\CON', 'Blue/Screen'], 12))
      .toBe('20240514T092654Z_unknown__CON_Blue-Screen_12');
  });
});

describe('folderName length in bytes and UTF-16 units', () => {
  const utf16 = (s: string) => s.length;
  const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

  test('40-character CJK machine and app names fit in 255 bytes with room for ~n (was 271 bytes: ENAMETOOLONG)', () => {
    const machine = '開発部門'.repeat(10);
    const app = '表計算ソフトウェア製品'.repeat(4).slice(0, 40);
    const name = folderName(T0, [machine, app, 'APPCRASH'], 123456);
    expect(utf8(name)).toBeLessThanOrEqual(255 - 8);
    expect(utf16(name)).toBeLessThanOrEqual(255);
    expect(name.isWellFormed()).toBe(true);
    // The short part stays whole; the long ones share the cut and keep their start.
    expect(name).toMatch(/^20240514T092654Z_開発部門開発部門[^_]+_表計算ソフトウェア製品[^_]+_APPCRASH_123456$/);
    const [, m, a] = name.split('_');
    expect(Math.abs(utf8(m!) - utf8(a!))).toBeLessThanOrEqual(3);
  });

  test('emoji (4 bytes, 2 UTF-16 units each) are never split', () => {
    const name = folderName(T0, ['😀'.repeat(40), '🚀'.repeat(40), '💥'.repeat(40)], 1);
    expect(utf8(name)).toBeLessThanOrEqual(247);
    expect(utf16(name)).toBeLessThanOrEqual(255);
    expect(name.isWellFormed()).toBe(true);
    expect(name).toMatch(/^20240514T092654Z_(😀)+_(🚀)+_(💥)+_1$/u);
  });

  test('ASCII names are not cut below their 40 characters', () => {
    const name = folderName(T0, ['m'.repeat(60), 'a'.repeat(60), 'e'.repeat(60)], 7);
    expect(name).toBe(`20240514T092654Z_${'m'.repeat(40)}_${'a'.repeat(40)}_${'e'.repeat(40)}_7`);
  });

  test('safeNamePart can be bounded by bytes too', () => {
    expect(safeNamePart('日本語のアプリ', 40, 9)).toBe('日本語');
    expect(safeNamePart('ab😀', 40, 5)).toBe('ab');
  });
});
