import { describe, expect, test } from 'vitest';
import { charWidth, displayWidth, fitWidth } from '../../../src/render/width.js';

describe('display width', () => {
  test('ASCII one column, CJK and fullwidth two, combining marks none, colour codes none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('\x1b[31mred\x1b[39m')).toBe(3);
    expect(charWidth('한'.codePointAt(0)!)).toBe(2);
    expect(displayWidth('𠀀')).toBe(2); // a surrogate pair, one wide character
  });
});

describe('fitWidth', () => {
  test('a line that fits is unchanged; undefined width never cuts', () => {
    expect(fitWidth('short', 80)).toBe('short');
    expect(fitWidth('x'.repeat(500), undefined)).toBe('x'.repeat(500));
  });

  test('a long line is cut to exactly the width, ending in …', () => {
    const cut = fitWidth('abcdefghij', 6);
    expect(cut).toBe('abcde…');
    expect(displayWidth(cut)).toBe(6);
  });

  test('a wide character that would straddle the edge is left out whole', () => {
    const cut = fitWidth('ab日本語', 5);
    expect(cut).toBe('ab日…');
    expect(displayWidth(cut)).toBe(5);
    expect(displayWidth(fitWidth('日本語日本語', 6))).toBeLessThanOrEqual(6);
  });

  test('colour codes stay whole and a reset follows a cut', () => {
    const cut = fitWidth('\x1b[31mredredred\x1b[39m', 4);
    expect(cut).toBe('\x1b[31mred\x1b[0m…');
    expect(displayWidth(cut)).toBe(4);
  });
});
