import { Worker } from 'node:worker_threads';
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

  it('with movedIn, frees memory transferred in from another thread, which `arrayBuffers` does not count, and checks every `every` bytes again once it is freed', async () => {
    const worker = new Worker("const { parentPort } = require('node:worker_threads'); const ab = new ArrayBuffer(48 * 1024 * 1024); new Uint8Array(ab).fill(1); parentPort.postMessage(ab, [ab]);", { eval: true });
    try {
      const before = settle();
      const external = (): number => process.memoryUsage().external;
      const externalBefore = external();
      const count = earlyGc({ minorEvery: Infinity, fullWhenHeld: { every: MiB, above: externalBefore + 16 * MiB, movedIn: true } });
      // As the relay's tap wraps a transferred read; nothing else refers to it once the message
      // event is over (a turn of the loop later).
      const moved: { read?: Buffer } = {};
      await new Promise<void>((resolve) => worker.once('message', (ab: ArrayBuffer) => void (moved.read = Buffer.from(ab), setImmediate(resolve))));
      expect(held() - before).toBeLessThan(8 * MiB); // allocated by the other thread
      expect(external() - externalBefore).toBeGreaterThan(40 * MiB);
      count(MiB); // a full collection while it lives: old now, and the next check 2 MiB on
      expect(moved.read![0]).toBe(1);
      moved.read = undefined;
      // The check that collects it reads what is held once V8 has freed the dead memory (it
      // does so after the collection, on a helper thread): not the garbage just collected,
      // which would make it back off as if that were live. A young collection (here one of
      // its own) waits for the freeing to end.
      const reads = vi.spyOn(process, 'memoryUsage');
      let read: number;
      try {
        count(2 * MiB);
        read = (reads.mock.results.at(-1)!.value as NodeJS.MemoryUsage).external;
      } finally {
        reads.mockRestore();
      }
      earlyGc({ minorEvery: 0 })(1);
      expect(Math.abs(read - external())).toBeLessThan(4 * MiB);
      // Freed by that check, or the next one (see above); then checked every MiB again.
      if (external() - externalBefore > 8 * MiB) count(4 * MiB);
      expect(external() - externalBefore).toBeLessThan(8 * MiB);
      const checks = vi.spyOn(process, 'memoryUsage');
      try {
        count(MiB);
        expect(checks).toHaveBeenCalledTimes(1);
      } finally {
        checks.mockRestore();
      }
    } finally {
      await worker.terminate();
    }
  });
});
