import { describe, expect, test } from 'vitest';
import { folderName, safeNamePart } from '../../../src/capture/folder-name.js';
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
