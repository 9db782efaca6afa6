import { describe, expect, it, vi } from 'vitest';
import { earlyGc } from '../../../src/pipeline/early-gc.js';

const MiB = 1024 * 1024;
const held = (): number => process.memoryUsage().arrayBuffers;
/** A full collection first, so that earlier garbage does not move the baseline. */
const settle = (): number => {
  earlyGc({ minorEvery: Infinity, fullEvery: 1 })(1);
  return held();
};

describe('earlyGc', () => {
  it('frees dead read-sized buffers every few MB, instead of letting ~64 MB of them pile up', () => {
    const count = earlyGc({ minorEvery: 4 * MiB });
    const before = settle();
    let most = 0;
    for (let i = 0; i < 1024; i++) {
      const read = Buffer.alloc(64 * 1024, i); // a socket read, garbage once counted
      count(read.length);
      most = Math.max(most, held() - before);
    }
    // 64 MiB went through; at most one collection's worth (4 MiB) and some slack are held.
    expect(most).toBeLessThan(16 * MiB);
  });

  it('frees a big buffer that died old once more than `above` bytes are held', () => {
    const before = settle();
    const count = earlyGc({ minorEvery: Infinity, fullWhenHeld: { every: MiB, above: before + 16 * MiB } });
    let body: Buffer | undefined = Buffer.alloc(48 * MiB, 1);
    count(MiB); // a full collection while the body lives: it is old now; the next check 2 MiB on
    expect(held() - before).toBeGreaterThan(40 * MiB);
    expect(body[0]).toBe(1);
    body = undefined;
    // Freed at the next check, or the one after: a full collection that finds V8 marking
    // already (begun while the body lived) finishes that marking, which kept the body.
    count(2 * MiB);
    count(4 * MiB);
    expect(held() - before).toBeLessThan(8 * MiB);
  });

  it('checks half as often while what it holds is live, and every `every` bytes again once it is freed', () => {
    const before = settle();
    const count = earlyGc({ minorEvery: Infinity, fullWhenHeld: { every: MiB, above: before + 16 * MiB } });
    const checks = vi.spyOn(process, 'memoryUsage');
    try {
      let history: Buffer | undefined = Buffer.alloc(48 * MiB, 1); // live
      for (let i = 0; i < 31; i++) count(MiB); // checks at 1, 3, 7, 15 and 31 MiB (two reads each)
      expect(checks).toHaveBeenCalledTimes(10);
      expect(history[0]).toBe(1);
      history = undefined;
      checks.mockClear();
      for (let i = 0; i < 80; i++) count(MiB); // the check 16 MiB on frees it; then one per MiB
      const first = checks.mock.calls.length;
      expect(first).toBeGreaterThanOrEqual(2);
      checks.mockClear();
      for (let i = 0; i < 8; i++) count(MiB); // nothing held: one read per MiB
      expect(checks).toHaveBeenCalledTimes(8);
      expect(held() - before).toBeLessThan(8 * MiB);
    } finally {
      checks.mockRestore();
    }
  });
});
