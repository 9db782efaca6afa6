// The LZX bit writer and reader: 16-bit little-endian words, most-significant bit first.
import { describe, expect, it } from 'vitest';
import { LzxBits } from '../../../src/domain/cab/lzx/lzx-bits.js';
import { LzxBitWriter } from '../../../src/domain/cab/lzx/lzx-bitwriter.js';
import { canonicalCodes, codeLengths } from '../../../src/domain/cab/lzx/lzx-codes.js';

describe('LZX bits', () => {
  it('a 17-bit footer after 15 pending bits flushes both words (a frame must end in its own payload)', () => {
    const w = new LzxBitWriter();
    w.write(0x5555, 15);
    w.write(0x1abcd, 17);
    expect(w.pending).toBe(0);
    const out = w.take();
    expect(out.length).toBe(4);
    const r = new LzxBits();
    r.start(out, out.length, 0);
    expect([r.read(15), r.read(17)]).toEqual([0x5555, 0x1abcd]);
    expect(r.consumed()).toBe(32);
  });

  it('the word order: the first bit is the top bit of a little-endian word', () => {
    const w = new LzxBitWriter();
    w.write(1, 1);
    w.align();
    expect([...w.take()]).toEqual([0x00, 0x80]);
  });

  it('code lengths stay within the limit, form a complete code, and a lone symbol gets a partner', () => {
    const skewed = Array.from({ length: 300 }, (_, i) => Math.floor(2 ** (i / 12)) % 1e9 + 1);
    for (const [limit, n] of [[3, 8], [7, 100], [15, 300], [16, 300]] as const) {
      const lens = codeLengths(skewed.slice(0, n), limit);
      expect(Math.max(...lens)).toBeLessThanOrEqual(limit);
      expect([...lens].reduce((k, l) => k + 2 ** -l, 0)).toBeCloseTo(1, 12);
    }
    expect(() => codeLengths(skewed, 7)).toThrow(RangeError);
    expect([...codeLengths([0, 0, 5, 0], 16)]).toEqual([1, 0, 1, 0]);
    expect([...codeLengths([0, 0, 0], 16)]).toEqual([0, 0, 0]);
    expect([...canonicalCodes(Uint8Array.from([2, 1, 3, 3]))]).toEqual([0b10, 0b0, 0b110, 0b111]);
  });
});
