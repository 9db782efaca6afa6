// The kept body's one growing buffer: bytes and order exact whatever the pieces, no append
// copies much more than its own length (no big copy inside one socket read), reading the whole
// is a view (no copy at the end), and sizes follow the bytes received, not the length claimed.
import { afterEach, describe, expect, test } from 'vitest';
import { GrowingBytes } from '../../../src/pipeline/http/growing-bytes.js';

const MiB = 1024 * 1024;
/** Deterministic bytes, different at every offset of a few MiB. */
const bytes = (n: number, start = 0): Buffer => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = ((i + start) * 2654435761) >>> 24;
  return b;
};

/** Counts the bytes copied by Uint8Array.prototype.set (how GrowingBytes copies) until undone. */
const realSet = Uint8Array.prototype.set;
let copied = 0;
function countCopies(): void {
  copied = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
    copied += src.length;
    return realSet.call(this, src, offset);
  } as typeof realSet;
}
afterEach(() => {
  Uint8Array.prototype.set = realSet;
});

describe('GrowingBytes', () => {
  test('holds every byte in order, whatever the piece sizes', () => {
    const whole = bytes(3 * MiB + 777);
    const sizes = [1, 7, 5000, 3, 65_536, 4095, 300_000, 2];
    const g = new GrowingBytes(whole.subarray(0, 10));
    let pos = 10;
    for (let i = 0; pos < whole.length; i++) {
      const n = sizes[i % sizes.length]!;
      g.append(whole.subarray(pos, pos + n));
      pos += n;
      if (i % 97 === 0) expect(g.view().equals(whole.subarray(0, pos))).toBe(true);
    }
    expect(g.length).toBe(whole.length);
    expect(g.view().equals(whole)).toBe(true);
  });

  test('a 20 MiB body in 64 KiB reads: no append copies more than 3 reads, the end copies nothing', () => {
    const read = 64 * 1024;
    const whole = bytes(20 * MiB);
    countCopies();
    const g = new GrowingBytes(whole.subarray(0, read));
    let most = 0;
    for (let pos = read; pos < whole.length; pos += read) {
      copied = 0;
      g.append(whole.subarray(pos, pos + read));
      most = Math.max(most, copied);
    }
    copied = 0;
    const all = g.view();
    expect(copied).toBe(0);
    Uint8Array.prototype.set = realSet;
    expect(most).toBeLessThanOrEqual(3 * read);
    expect(all.equals(whole)).toBe(true);
  });

  test('one append larger than everything held copies at most three times its own length', () => {
    const whole = bytes(4 * MiB);
    countCopies();
    const g = new GrowingBytes(whole.subarray(0, 100_000));
    g.append(whole.subarray(100_000, 1 * MiB));
    copied = 0;
    g.append(whole.subarray(1 * MiB, 4 * MiB));
    expect(copied).toBeLessThanOrEqual(3 * 3 * MiB); // its bytes, and twice them moved ahead
    Uint8Array.prototype.set = realSet;
    expect(g.view().equals(whole)).toBe(true);
  });

  test('an announced length that arrives: the last buffer is exactly that size', () => {
    const whole = bytes(5 * MiB + 3);
    const g = new GrowingBytes(whole.subarray(0, 1000), whole.length);
    for (let pos = 1000; pos < whole.length; pos += 65_536) g.append(whole.subarray(pos, Math.min(pos + 65_536, whole.length)));
    const v = g.view();
    expect(v.equals(whole)).toBe(true);
    expect(v.buffer.byteLength).toBe(whole.length);
  });

  test('without an announced length the buffer is at most about twice the bytes held', () => {
    const whole = bytes(3 * MiB + 1);
    const g = new GrowingBytes(whole.subarray(0, 1));
    for (let pos = 1; pos < whole.length; pos += 10_000) g.append(whole.subarray(pos, Math.min(pos + 10_000, whole.length)));
    expect(g.view().buffer.byteLength).toBeLessThanOrEqual(2 * whole.length + 20_000);
  });

  test('a claimed 64 MiB with 10 bytes received allocates a few KiB, not the claim (rule 3)', () => {
    const g = new GrowingBytes(Buffer.from('hello'), 64 * MiB);
    g.append(Buffer.from('world'));
    expect(g.view().toString()).toBe('helloworld');
    expect(g.view().buffer.byteLength).toBeLessThanOrEqual(8192);
  });

  test('a claimed 64 MiB that sends 1 MiB: no buffer over eight times the bytes appended so far', () => {
    const realAlloc = Buffer.allocUnsafe;
    const sizes: number[] = [];
    Buffer.allocUnsafe = ((n: number) => (sizes.push(n), realAlloc(n))) as typeof Buffer.allocUnsafe;
    let held = 0;
    let worst = 0;
    try {
      const piece = bytes(65_536);
      const g = new GrowingBytes(piece, 64 * MiB);
      held = piece.length;
      for (let i = 1; i < 16; i++) {
        sizes.length = 0;
        g.append(piece);
        held += piece.length;
        for (const n of sizes) worst = Math.max(worst, n / held);
      }
    } finally {
      Buffer.allocUnsafe = realAlloc;
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(8);
  });

  test('a sender sending more than it announced is still held whole', () => {
    const whole = bytes(300_000);
    const g = new GrowingBytes(whole.subarray(0, 50_000), 100_000);
    for (let pos = 50_000; pos < whole.length; pos += 50_000) g.append(whole.subarray(pos, pos + 50_000));
    expect(g.view().equals(whole)).toBe(true);
  });

  test('viewFrom: bytes already held never change as more arrive', () => {
    const whole = bytes(2 * MiB);
    const g = new GrowingBytes(whole.subarray(0, 4096));
    const early = g.viewFrom(0);
    for (let pos = 4096; pos < whole.length; pos += 4096) g.append(whole.subarray(pos, pos + 4096));
    expect(early.equals(whole.subarray(0, 4096))).toBe(true);
  });
});
