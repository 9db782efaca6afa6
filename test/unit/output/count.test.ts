import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../../src/util/count.js';

describe('groupThousands', () => {
  it('writes what toLocaleString("en-US") writes, for whole numbers of every length and sign', () => {
    const xs = [0, 1, 9, 10, 999, 1000, 1001, 12_345, 100_000, 999_999, 1_000_000, 160_000, 4_294_967_295, Number.MAX_SAFE_INTEGER];
    for (let x = 1; x < 1e15; x = x * 7 + 3) xs.push(x);
    for (const x of xs) {
      expect(groupThousands(x)).toBe(x.toLocaleString('en-US'));
      if (x !== 0) expect(groupThousands(-x)).toBe((-x).toLocaleString('en-US'));
    }
  });

  it('hands numbers that are not safe integers to toLocaleString', () => {
    for (const x of [1.5, 2 ** 60, NaN, Infinity]) expect(groupThousands(x)).toBe(x.toLocaleString('en-US'));
  });
});
