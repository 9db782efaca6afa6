// Collects the de-chunked body of one message as the framer emits it: counts it, hashes it,
// keeps the first bytes always and the whole body only up to a limit (over 1 MiB, only when
// the caller says something reads all of it, else as many first bytes as it says: `PartialKeep`). Finishing a body is cheap
// however large it is: the kept bytes are already one buffer (growing-bytes.ts) and a large
// body was hashed as it arrived, so the end of a 20 MiB upload costs no concatenation and no
// hashing on the thread that serves sockets. A body over the limit costs a hash state,
// BODY_HEAD_BYTES and the hasher's bounded state. Which hasher is the caller's choice
// (`LargeBodyHash`): framing stays pure, and the pipeline hands in one that hashes on a helper
// thread (workers/hash-offload.ts).
import crypto, { createHash } from 'node:crypto';
import type { Body, Header } from '../../model.js';
import { GrowingBytes } from './growing-bytes.js';

/** An incremental SHA-256 for large bodies. `update` must not keep a reference it relies on
 * being unchanged beyond what the caller promises (socket reads never change). */
export interface LargeBodyHash {
  update(data: Uint8Array): void;
  /** Hex digest, or a word saying why there is none; a promise of it when the hashing happens
   * elsewhere (the body then carries `sha256Later` until it settles). Never rejects. */
  digest(): string | Promise<string>;
}
export type LargeBodyHashFactory = () => LargeBodyHash;

/** Hashes on the calling thread. */
export const inlineHash: LargeBodyHashFactory = () => {
  const h = createHash('sha256');
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
};

export const BODY_HEAD_BYTES = 4096;
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A body up to this long is kept whole (up to the limit) whatever it holds: --json and HAR
 * give a binary body up to 1 MiB inline (sinks/har-entry.ts INLINE_BODY_BYTES). */
export const WHOLE_BODY_BYTES = 1024 * 1024;
/** What a longer binary body that nothing reads whole keeps (`PartialKeep`): its first bytes,
 * for the hexdumps (64 KiB: render/format-body.ts DEFAULT_MAX_HEX_BYTES, web/detail.ts
 * MAX_HEX_BYTES). Also how many first bytes `PartialKeep` is shown. */
export const PART_KEPT_BYTES = 64 * 1024;

/** A body kept whole (up to the limit), or only its first so many bytes (at most
 * WHOLE_BODY_BYTES, at least BODY_HEAD_BYTES). */
export type BodyKeep = 'whole' | number;
/** How much of a body longer than WHOLE_BODY_BYTES is kept: asked once, with its first
 * PART_KEPT_BYTES, when the body outgrows WHOLE_BODY_BYTES. The caller knows what will read
 * the body (a binary request body is only shown by its beginning and named by its length and
 * sha256; a text one is only decoded by its first MiB, domain/body/keep-whole.ts). */
export type PartialKeep = (first: Buffer) => BodyKeep;
/** Body pieces smaller than this are handed on together (exchange-builder.ts). */
export const SMALL_PIECE = 4096;
/** A kept body longer than this is hashed as it arrives (by the hasher handed in) instead of
 * in one go when it ends; a smaller one is hashed at the end, in one call that costs less. */
export const HASH_AS_RECEIVED_FROM = 256 * 1024;

/**
 * Memory follows the body's bytes, not how many pieces it came in (8 million one-byte chunks
 * once cost 1.1 GB for an 8 MB body): from the second piece on, pieces are copied into one
 * growing buffer and not kept. A body that arrives in one piece is kept as that piece (no copy).
 */
export class BodyAssembler {
  private length = 0;
  /** The first piece, not copied: the whole body while it is the only one. */
  private lone: Buffer | undefined;
  /** The kept body from its second piece on; undefined once the body is over the limit. */
  private store: GrowingBytes | undefined;
  /** False once the body is over the limit: then only hashed. */
  private keeping = true;
  /** The first bytes, copied, once the body is no longer kept (else taken from the data):
   * BODY_HEAD_BYTES, or as many as `partial` said for a body kept in part. */
  private head: Buffer | undefined;
  private headLength = 0;
  /** Set once the body is hashed as it arrives (large, or over the limit). */
  private hash: LargeBodyHash | undefined;
  /** Set once the body was found to need only its beginning (`partial` said so). */
  private inPart = false;

  /** `declaredLength`: the Content-Length, when the head gives one. A body declared larger than
   * `maxKeep` is hashed from its first byte, so memory never holds even `maxKeep` of it. A
   * smaller one sizes the kept buffer, but only as far as bytes received justify. `partial`:
   * whether a body over WHOLE_BODY_BYTES (and under `maxKeep`) is kept whole; without it, it is. */
  constructor(
    private readonly maxKeep: number = MAX_BODY_BYTES,
    private readonly declaredLength?: number,
    private readonly newHash: LargeBodyHashFactory = inlineHash,
    private partial?: PartialKeep,
  ) {
    if (declaredLength !== undefined && declaredLength > maxKeep) this.stopKeeping(BODY_HEAD_BYTES);
  }

  add(data: Buffer): void {
    if (data.length === 0) return;
    if (this.keeping && this.length + data.length > this.maxKeep) this.stopKeeping(BODY_HEAD_BYTES);
    else if (this.keeping && this.partial && this.length + data.length > WHOLE_BODY_BYTES) this.decidePart(data);
    this.length += data.length;
    if (!this.keeping) {
      if (this.headLength < this.head!.length) this.headLength += data.copy(this.head!, this.headLength);
      this.hash!.update(data);
      return;
    }
    if (this.store) this.store.append(data);
    else if (this.lone) {
      this.store = new GrowingBytes(this.lone, this.declaredLength);
      this.lone = undefined;
      this.store.append(data);
    } else {
      this.lone = data;
    }
    if (this.hash) this.hash.update(data);
    else if (this.length > HASH_AS_RECEIVED_FROM) {
      this.hash = this.newHash();
      this.hash.update(this.held());
    }
  }

  get size(): number {
    return this.length;
  }

  finish(framing: Body['framing'], trailers: Header[], complete: boolean): Body {
    const data = this.keeping ? this.held() : undefined;
    const digest = this.hash ? this.hash.digest() : sha256Hex(data!);
    const body: Body = {
      length: this.length,
      data,
      head: data ? data.subarray(0, BODY_HEAD_BYTES) : this.head!.subarray(0, this.headLength),
      sha256: typeof digest === 'string' ? digest : '',
      framing,
      trailers,
      complete,
    };
    if (this.inPart) body.headOnly = true;
    if (typeof digest !== 'string') {
      body.sha256Later = digest.then((hex) => {
        body.sha256 = hex;
        delete body.sha256Later;
      });
    }
    return body;
  }

  /** Everything kept so far, as one buffer (no copy). */
  private held(): Buffer {
    return this.lone ?? this.store?.view() ?? EMPTY;
  }

  /** The body is about to outgrow WHOLE_BODY_BYTES with `next`: asks `partial`, once, about
   * its first PART_KEPT_BYTES (those held, completed from `next`), and keeps whole or the first
   * bytes it says (the rest of them come from `next` on, as the head fills). */
  private decidePart(next: Buffer): void {
    const decide = this.partial!;
    this.partial = undefined;
    const held = this.held();
    const first = held.length >= PART_KEPT_BYTES ? held.subarray(0, PART_KEPT_BYTES)
      : Buffer.concat([held, next.subarray(0, PART_KEPT_BYTES - held.length)]);
    const keep = decide(first);
    if (keep === 'whole') return;
    this.inPart = true;
    this.stopKeeping(Math.min(WHOLE_BODY_BYTES, Math.max(BODY_HEAD_BYTES, Math.floor(keep))));
  }

  /** From now on pieces are hashed, not kept: what was kept gives the first `headBytes`, and
   * is hashed first unless it already was (a large body is hashed as it arrives). */
  private stopKeeping(headBytes: number): void {
    const held = this.held();
    this.keeping = false;
    this.lone = undefined;
    this.store = undefined;
    this.head = Buffer.alloc(headBytes);
    this.headLength = held.copy(this.head, 0, 0, headBytes);
    if (!this.hash) {
      this.hash = this.newHash();
      if (held.length > 0) this.hash.update(held);
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** One-shot hashing (Node ≥ 20.12) costs about half of a Hash object for a small body. */
const sha256Hex: (data: Buffer) => string = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');
