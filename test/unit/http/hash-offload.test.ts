import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
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
