import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BODY_HEAD_BYTES, BodyAssembler, HASH_AS_RECEIVED_FROM, MAX_BODY_BYTES, PART_KEPT_BYTES, SMALL_PIECE, WHOLE_BODY_BYTES, type BodyKeep } from '../../../src/pipeline/http/body-assembler.js';
import { SLOT_BYTES, offloadedHash } from '../../../src/pipeline/workers/hash-offload.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Deterministic bytes 0..255 repeating. */
const bytes = (n: number, start = 0): Buffer => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i + start) & 0xff;
  return b;
};

describe('BodyAssembler', () => {
  test('an empty body: length 0, empty data and head, sha256 of nothing', () => {
    const body = new BodyAssembler(10).finish('none', [], true);
    expect(body.length).toBe(0);
    expect(body.data).toEqual(Buffer.alloc(0));
    expect(body.head).toEqual(Buffer.alloc(0));
    expect(body.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(body.framing).toBe('none');
    expect(body.complete).toBe(true);
  });

  test('exactly at the limit the whole body is kept', () => {
    const a = new BodyAssembler(10);
    a.add(bytes(4));
    a.add(bytes(6, 4));
    const body = a.finish('content-length', [], true);
    expect(body.length).toBe(10);
    expect(body.data).toEqual(bytes(10));
  });

  test('one byte over the limit: no data, but length, head and hash of the whole body', () => {
    const a = new BodyAssembler(10);
    a.add(bytes(4));
    a.add(bytes(7, 4));
    const body = a.finish('chunked', [['X-Trailer', 'v']], false);
    expect(body.data).toBeUndefined();
    expect(body.length).toBe(11);
    expect(body.head).toEqual(bytes(11));
    expect(body.sha256).toBe(sha(bytes(11)));
    expect(body.trailers).toEqual([['X-Trailer', 'v']]);
    expect(body.complete).toBe(false);
  });

  test('a body declared over the limit is never kept, even when fewer bytes arrive', () => {
    const a = new BodyAssembler(10, 11);
    a.add(bytes(3));
    a.add(bytes(2, 3));
    const body = a.finish('content-length', [], false);
    expect(body.data).toBeUndefined();
    expect(body.length).toBe(5);
    expect(body.head).toEqual(bytes(5));
    expect(body.sha256).toBe(sha(bytes(5)));
  });

  test("a hashed body is hashed right across the helper thread's batch edges", () => {
    // 3 batches and a bit, in odd-sized pieces: the hash is that of the whole body.
    const whole = bytes(SLOT_BYTES * 3 + 12_345);
    const a = new BodyAssembler(1024, whole.length, offloadedHash);
    for (let i = 0; i < whole.length; i += 100_003) a.add(whole.subarray(i, i + 100_003));
    const body = a.finish('content-length', [], true);
    expect([body.length, body.sha256]).toEqual([whole.length, sha(whole)]);
  });

  test('a body declared within the limit is kept as before', () => {
    const a = new BodyAssembler(10, 10);
    a.add(bytes(10));
    expect(a.finish('content-length', [], true).data).toEqual(bytes(10));
  });

  test('a limit of 0 keeps only empty bodies', () => {
    const a = new BodyAssembler(0);
    a.add(Buffer.from('x'));
    expect(a.finish('content-length', [], true).data).toBeUndefined();
  });

  test('head is at most BODY_HEAD_BYTES, kept or not, and pieces may straddle the edge', () => {
    const whole = bytes(BODY_HEAD_BYTES * 3 + 5);
    for (const max of [whole.length, 100]) {
      const a = new BodyAssembler(max);
      for (let i = 0; i < whole.length; i += 1000) a.add(whole.subarray(i, i + 1000));
      const body = a.finish('content-length', [], true);
      expect(body.head.length).toBe(BODY_HEAD_BYTES);
      expect(body.head).toEqual(whole.subarray(0, BODY_HEAD_BYTES));
      expect(body.sha256).toBe(sha(whole));
      expect(body.length).toBe(whole.length);
      expect(a.size).toBe(whole.length);
    }
  });

  test('sha256 equals node:crypto of the whole body whatever the split', () => {
    const whole = bytes(9000, 7);
    for (const size of [1, 13, 4096, 9000]) {
      const a = new BodyAssembler();
      for (let i = 0; i < whole.length; i += size) a.add(whole.subarray(i, i + size));
      expect(a.finish('until-close', [], true).sha256).toBe(sha(whole));
    }
  });

  test('empty pieces change nothing', () => {
    const a = new BodyAssembler(4);
    a.add(Buffer.alloc(0));
    a.add(Buffer.from('abcd'));
    a.add(Buffer.alloc(0));
    expect(a.finish('content-length', [], true).data?.toString()).toBe('abcd');
  });

  test('a single piece under the limit is kept, not copied', () => {
    const piece = Buffer.from('hello world');
    const a = new BodyAssembler(100);
    a.add(piece);
    const body = a.finish('content-length', [], true);
    expect(body.data).toBe(piece);
    expect(body.head.buffer).toBe(piece.buffer);
  });

  test('a body of one piece is that piece; of several, one buffer holding copies of them', () => {
    const first = Buffer.alloc(SMALL_PIECE, 0x61);
    const a = new BodyAssembler(1 << 20);
    a.add(first);
    a.add(Buffer.alloc(SMALL_PIECE, 0x62));
    first[0] = 0x41; // not visible in the result: the pieces were copied, not kept
    const data = a.finish('content-length', [], true).data!;
    expect(data.subarray(0, 2).toString()).toBe('aa');
    expect(data.buffer).not.toBe(first.buffer);
    const one = Buffer.from('abc');
    const b = new BodyAssembler(100);
    b.add(one);
    expect(b.finish('content-length', [], true).data).toBe(one);
  });

  test('finishing a 20 MiB body copies nothing and hashes nothing more (both done as it arrived)', () => {
    const read = 64 * 1024;
    const whole = bytes(20 * 1024 * 1024);
    const hashed: number[] = [];
    const counting = () => {
      const h = createHash('sha256');
      return { update: (d: Uint8Array) => void (hashed.push(d.length), h.update(d)), digest: () => h.digest('hex') };
    };
    const a = new BodyAssembler(64 * 1024 * 1024, whole.length, counting);
    for (let i = 0; i < whole.length; i += read) a.add(whole.subarray(i, i + read));
    const hashedBefore = hashed.length;
    const realSet = Uint8Array.prototype.set;
    const realConcat = Buffer.concat;
    let copied = 0;
    Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
      copied += src.length;
      return realSet.call(this, src, offset);
    } as typeof realSet;
    Buffer.concat = ((list: readonly Uint8Array[], n?: number) => {
      copied += n ?? list.reduce((k, b) => k + b.length, 0);
      return realConcat(list, n);
    }) as typeof Buffer.concat;
    let body;
    try {
      body = a.finish('content-length', [], true);
    } finally {
      Uint8Array.prototype.set = realSet;
      Buffer.concat = realConcat;
    }
    expect(copied).toBe(0);
    expect(hashed.length).toBe(hashedBefore);
    expect(body.data!.equals(whole)).toBe(true);
    expect(body.sha256).toBe(sha(whole));
  });

  test('a body declared 64 MiB that sends 10 bytes in two pieces holds a few KiB (rule 3)', () => {
    const a = new BodyAssembler(MAX_BODY_BYTES, 64 * 1024 * 1024);
    a.add(Buffer.from('hello'));
    a.add(Buffer.from('world'));
    const body = a.finish('content-length', [], false);
    expect(body.data!.toString()).toBe('helloworld');
    expect(body.data!.buffer.byteLength).toBeLessThanOrEqual(8192);
  });

  test('over the limit after being hashed as it arrived: the hash covers every byte once', () => {
    const whole = bytes(HASH_AS_RECEIVED_FROM * 3 + 17);
    const a = new BodyAssembler(HASH_AS_RECEIVED_FROM * 2);
    for (let i = 0; i < whole.length; i += 10_007) a.add(whole.subarray(i, i + 10_007));
    const body = a.finish('chunked', [], true);
    expect(body.data).toBeUndefined();
    expect(body.head.equals(whole.subarray(0, BODY_HEAD_BYTES))).toBe(true);
    expect([body.length, body.sha256]).toEqual([whole.length, sha(whole)]);
  });

  test('small pieces are copied together: bytes and order kept, whatever the mix of sizes', () => {
    const whole = bytes(300_000);
    const a = new BodyAssembler(1 << 20);
    let pos = 0;
    for (let i = 0; pos < whole.length; i++) {
      const n = [1, 7, 5000, 3, 4095, 4096, 70_000][i % 7]!;
      a.add(whole.subarray(pos, pos + n));
      pos += n;
    }
    const body = a.finish('chunked', [], true);
    expect(body.data!.equals(whole)).toBe(true);
    expect(body.sha256).toBe(sha(whole));
  });

  test('one-byte pieces over the limit: hashed in order, head right', () => {
    const whole = bytes(20_000);
    const a = new BodyAssembler(10_000);
    for (let i = 0; i < whole.length; i++) a.add(whole.subarray(i, i + 1));
    const body = a.finish('chunked', [], true);
    expect(body.data).toBeUndefined();
    expect(body.head.equals(whole.subarray(0, BODY_HEAD_BYTES))).toBe(true);
    expect([body.length, body.sha256]).toEqual([whole.length, sha(whole)]);
  });
});

describe('BodyAssembler, a body kept in part', () => {
  /** A judge that says `verdict` and records what it was asked about. */
  const judge = (verdict: BodyKeep) => {
    const asked: Buffer[] = [];
    return { asked, decide: (first: Buffer) => (asked.push(Buffer.from(first)), verdict) };
  };
  const feed = (a: BodyAssembler, whole: Buffer, sizes: number[]): void => {
    for (let pos = 0, i = 0; pos < whole.length; i++) {
      const n = sizes[i % sizes.length]!;
      a.add(whole.subarray(pos, pos + n));
      pos += n;
    }
  };

  test('up to WHOLE_BODY_BYTES a body is kept whole and nobody is asked', () => {
    const j = judge(PART_KEPT_BYTES);
    const a = new BodyAssembler(MAX_BODY_BYTES, undefined, undefined, j.decide);
    const whole = bytes(WHOLE_BODY_BYTES);
    feed(a, whole, [65_536]);
    const body = a.finish('content-length', [], true);
    expect(j.asked).toEqual([]);
    expect(body.data!.equals(whole)).toBe(true);
    expect(body.headOnly).toBeUndefined();
  });

  test('a keep size: only the first PART_KEPT_BYTES are kept, asked once about exactly those; length and sha256 of all of it', () => {
    const j = judge(PART_KEPT_BYTES);
    const a = new BodyAssembler(MAX_BODY_BYTES, undefined, undefined, j.decide);
    const whole = bytes(3 * WHOLE_BODY_BYTES + 123);
    feed(a, whole, [65_536, 1000, 250_000]);
    const body = a.finish('content-length', [], true);
    expect(j.asked).toHaveLength(1);
    expect(j.asked[0]!.equals(whole.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect(body.data).toBeUndefined();
    expect(body.headOnly).toBe(true);
    expect(body.head.equals(whole.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect([body.length, body.sha256]).toEqual([whole.length, sha(whole)]);
  });

  test('a keep size of WHOLE_BODY_BYTES: the first MiB kept, completed from the pieces after the question', () => {
    const j = judge(WHOLE_BODY_BYTES);
    const a = new BodyAssembler(MAX_BODY_BYTES, undefined, undefined, j.decide);
    const whole = bytes(6 * WHOLE_BODY_BYTES + 3, 11);
    feed(a, whole, [100_000, 7, 300_001]); // the question comes with ~0.9 MiB held
    const body = a.finish('content-length', [], true);
    expect(j.asked).toHaveLength(1);
    expect(j.asked[0]!.equals(whole.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect(body.data).toBeUndefined();
    expect(body.headOnly).toBe(true);
    expect(body.head.equals(whole.subarray(0, WHOLE_BODY_BYTES))).toBe(true);
    expect([body.length, body.sha256]).toEqual([whole.length, sha(whole)]);
  });

  test('a keep size out of range is held to BODY_HEAD_BYTES..WHOLE_BODY_BYTES', () => {
    for (const [keep, kept] of [[10 * WHOLE_BODY_BYTES, WHOLE_BODY_BYTES], [1, BODY_HEAD_BYTES], [-5, BODY_HEAD_BYTES]] as const) {
      const a = new BodyAssembler(MAX_BODY_BYTES, undefined, undefined, () => keep);
      const whole = bytes(3 * WHOLE_BODY_BYTES);
      feed(a, whole, [65_536]);
      const body = a.finish('content-length', [], true);
      expect(body.head.equals(whole.subarray(0, kept)), String(keep)).toBe(true);
      expect(body.sha256).toBe(sha(whole));
    }
  });

  test('a small first piece and then one large one: asked about the first PART_KEPT_BYTES all the same', () => {
    const j = judge(PART_KEPT_BYTES);
    const a = new BodyAssembler(MAX_BODY_BYTES, undefined, undefined, j.decide);
    const whole = bytes(2 * WHOLE_BODY_BYTES, 7);
    a.add(whole.subarray(0, 10));
    a.add(whole.subarray(10));
    const body = a.finish('content-length', [], true);
    expect(j.asked[0]!.equals(whole.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect(body.head.equals(whole.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect(body.sha256).toBe(sha(whole));
  });

  test('"whole": kept whole up to the limit, asked only once', () => {
    const j = judge('whole');
    const a = new BodyAssembler(4 * WHOLE_BODY_BYTES, 3 * WHOLE_BODY_BYTES, undefined, j.decide);
    const whole = bytes(3 * WHOLE_BODY_BYTES);
    feed(a, whole, [65_536]);
    const body = a.finish('content-length', [], true);
    expect(j.asked).toHaveLength(1);
    expect(body.data!.equals(whole)).toBe(true);
    expect(body.headOnly).toBeUndefined();
    expect(body.sha256).toBe(sha(whole));
  });

  test('the limit still decides first: a body over it keeps BODY_HEAD_BYTES and is not asked about', () => {
    const j = judge(PART_KEPT_BYTES);
    const a = new BodyAssembler(WHOLE_BODY_BYTES, undefined, undefined, j.decide);
    const whole = bytes(2 * WHOLE_BODY_BYTES);
    feed(a, whole, [65_536]);
    const body = a.finish('content-length', [], true);
    expect(j.asked).toEqual([]);
    expect(body.headOnly).toBeUndefined();
    expect(body.head.length).toBe(BODY_HEAD_BYTES);
    expect(body.sha256).toBe(sha(whole));
  });

  test('hashed on a helper thread too (the live path): the digest is that of the whole body', async () => {
    const a = new BodyAssembler(MAX_BODY_BYTES, undefined, offloadedHash, () => PART_KEPT_BYTES);
    const whole = bytes(5 * WHOLE_BODY_BYTES + 1);
    feed(a, whole, [65_536, 3]);
    const body = a.finish('content-length', [], true);
    await body.sha256Later;
    expect(body.sha256).toBe(sha(whole));
    expect(body.headOnly).toBe(true);
  });
});
