import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../src/util/iso-time.js';

// isoTime must give exactly what Date gives: it replaces toISOString in every event's `ts`.
describe('isoTime', () => {
  it('matches Date#toISOString at the edges of its range and of days, months and years', () => {
    const edges = [
      0, -1, 1, 999, 1000, 86_399_999, 86_400_000, -86_400_000, -86_400_001,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 1, 28, 12), Date.UTC(2100, 2, 1),
      Date.UTC(1601, 0, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      -62167219200000, -62167219200001, 253402300799999, 253402300800000, 8.64e15, -8.64e15,
      1.5, -1.5, 0.999, -0.999, 1765000000000.25, -0,
    ];
    for (const ms of edges) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches Date#toISOString on random times of every era', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 50_000; i++) {
      const span = [1e3, 1e8, 1e12, 3e14, 8.64e15][i % 5]!;
      const ms = (random() * 2 - 1) * span + (i % 3 === 0 ? random() : 0);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws as Date does for what is not a time', () => {
    for (const bad of [NaN, Infinity, -Infinity, 8.64e15 + 1]) expect(() => isoTime(bad)).toThrow(RangeError);
  });
});
