import { describe, expect, test } from 'vitest';
import { byteRingMemory, ByteRingReader, ByteRingWriter } from '../../../src/sources/net/byte-ring.js';

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('byte ring (shared memory, one writer, one reader)', () => {
  test('pieces come out as they went in, across many wraps; never more than the ring holds unread', () => {
    const mem = byteRingMemory(64);
    const w = new ByteRingWriter(mem);
    const r = new ByteRingReader(mem);
    let seed = 0;
    for (let round = 0; round < 500; round++) {
      const pieces: Array<{ at: number; piece: Buffer }> = [];
      for (let n = 1 + (round % 23); ; n = 1 + ((n * 5) % 23)) {
        const piece = bytes(n, seed++);
        const at = w.put(piece);
        if (at < 0) break;
        expect(at + n).toBeLessThanOrEqual(64); // one run, never split
        pieces.push({ at, piece });
      }
      expect(pieces.length).toBeGreaterThan(0);
      expect(pieces.reduce((a, p) => a + p.piece.length, 0)).toBeLessThanOrEqual(64);
      for (const p of pieces) expect(r.take(p.at, p.piece.length)).toEqual(p.piece);
      r.release(w.head);
    }
  });

  test('a copy taken out stays intact after the ring is written over', () => {
    const mem = byteRingMemory(16);
    const w = new ByteRingWriter(mem);
    const r = new ByteRingReader(mem);
    const first = r.take(w.put(Buffer.from('0123456789abcdef')), 16);
    r.release(w.head);
    w.put(Buffer.from('XXXXXXXXXXXXXXXX'));
    expect(first.toString()).toBe('0123456789abcdef');
  });

  test('a piece larger than the ring, or a full ring, is refused (-1)', () => {
    const mem = byteRingMemory(16);
    const w = new ByteRingWriter(mem);
    expect(w.put(Buffer.alloc(17))).toBe(-1);
    expect(w.put(Buffer.alloc(10))).toBe(0);
    expect(w.put(Buffer.alloc(7))).toBe(-1); // 6 left
    expect(w.put(Buffer.alloc(6))).toBe(10);
  });

  test('the position wraps at 2^31 without losing track', () => {
    const mem = byteRingMemory(32);
    const w = new ByteRingWriter(mem);
    const r = new ByteRingReader(mem);
    w.head = 2 ** 31 - 8; // 24 in the ring
    r.release(w.head);
    const at = w.put(Buffer.from('abcdefghij')); // would wrap: starts at 0, the 8 skipped count
    expect(at).toBe(0);
    expect(w.head).toBe(10);
    expect(r.take(at, 10).toString()).toBe('abcdefghij');
    expect(w.put(Buffer.alloc(15))).toBe(-1); // 18 of 32 unread
    r.release(w.head);
    expect(w.put(Buffer.alloc(15))).toBe(10);
  });

  test('the size must be a power of two', () => {
    expect(() => byteRingMemory(48)).toThrow(/power of two/);
  });
});
