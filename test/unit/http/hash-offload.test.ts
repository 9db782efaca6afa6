import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import { SLOT_BYTES, SLOTS, OffloadedHash } from '../../../src/pipeline/workers/hash-offload.js';

const sha = (...parts: Buffer[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('OffloadedHash (SHA-256 on a helper thread)', () => {
  test('nothing hashed: the digest of the empty string', () => {
    expect(new OffloadedHash().digest()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test.each([1, SLOT_BYTES - 1, SLOT_BYTES, SLOT_BYTES + 1, 3 * SLOT_BYTES + 777])(
    '%i bytes in odd-sized pieces hash like node:crypto in one go',
    (n) => {
      const whole = randomBytes(n);
      const h = new OffloadedHash();
      for (let i = 0; i < n; i += 65_521) h.update(whole.subarray(i, i + 65_521));
      expect(h.digest()).toBe(sha(whole));
    },
  );

  test('interleaved bodies keep their own state', () => {
    const a = new OffloadedHash();
    const b = new OffloadedHash();
    const fedA: Buffer[] = [];
    const fedB: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      fedA.push(Buffer.alloc(300_000, i));
      a.update(fedA.at(-1)!);
      fedB.push(Buffer.alloc(123_457, 255 - i));
      b.update(fedB.at(-1)!);
    }
    expect(b.digest()).toBe(sha(...fedB));
    expect(a.digest()).toBe(sha(...fedA));
  });

  test('more bodies at once than the ring has slots: none waits for another to finish', () => {
    const hashes = Array.from({ length: SLOTS * 2 }, () => new OffloadedHash());
    const fed = hashes.map(() => [] as Buffer[]);
    for (let round = 0; round < 3; round++) {
      hashes.forEach((h, i) => {
        const piece = randomBytes(SLOT_BYTES / 2 + i * 1000);
        fed[i]!.push(piece);
        h.update(piece);
      });
    }
    hashes.forEach((h, i) => expect(h.digest()).toBe(sha(...fed[i]!)));
  });

  test('more than the whole ring goes through (the caller waits for free slots, nothing is lost)', () => {
    const block = randomBytes(SLOT_BYTES);
    const h = new OffloadedHash();
    const rounds = SLOTS * 3;
    for (let i = 0; i < rounds; i++) h.update(block);
    expect(h.digest()).toBe(sha(...Array.from({ length: rounds }, () => block)));
  });
});

describe('OffloadedHash in the background (the thread that serves sockets never waits)', () => {
  test.each([0, 1, SLOT_BYTES, 3 * SLOT_BYTES + 777])('%i bytes: the digest comes as a promise, like node:crypto', async (n) => {
    const whole = randomBytes(n);
    const h = new OffloadedHash({ background: true });
    for (let i = 0; i < n; i += 65_521) h.update(whole.subarray(i, i + 65_521));
    const d = h.digest();
    expect(d).toBeInstanceOf(Promise);
    expect(await d).toBe(sha(whole));
  });

  test('a body that outruns the helper never waits for it: its owner is told to pause, then to go on', async () => {
    const wait = vi.spyOn(Atomics, 'wait');
    try {
      const block = randomBytes(64 * 1024);
      const backlogs: Promise<void>[] = [];
      const h = new OffloadedHash({ background: true, onBacklog: (p) => void backlogs.push(p) });
      const pieces = (8 * SLOTS * SLOT_BYTES) / block.length;
      // Fed in one go: copying is far faster than hashing, so the ring fills and pieces wait.
      for (let i = 0; i < pieces; i++) h.update(block);
      expect(backlogs.length).toBeGreaterThan(0);
      await Promise.all(backlogs);
      expect(await h.digest()).toBe(sha(...Array.from({ length: pieces }, () => block)));
      expect(wait).not.toHaveBeenCalled();
    } finally {
      wait.mockRestore();
    }
  });

  test('bodies in the background and blocking ones share the ring', async () => {
    const a = new OffloadedHash({ background: true });
    const b = new OffloadedHash();
    const fed: Buffer[] = [];
    for (let i = 0; i < 3 * SLOTS; i++) {
      fed.push(randomBytes(SLOT_BYTES / 2));
      a.update(fed.at(-1)!);
      b.update(fed.at(-1)!);
    }
    expect(b.digest()).toBe(sha(...fed));
    expect(await a.digest()).toBe(sha(...fed));
  });
});
