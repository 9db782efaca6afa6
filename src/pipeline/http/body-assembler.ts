// Collects the de-chunked body of one message as the framer emits it: counts it, hashes it,
// keeps the first bytes always and the whole body only up to a limit, in at most one piece per
// SMALL_PIECE bytes however many pieces it came in. It never keeps a body
// that is over the limit, so a 2 GiB upload costs a hash state, BODY_HEAD_BYTES and the
// hasher's bounded state. Which hasher is the caller's choice (`LargeBodyHash`): framing stays
// pure, and the pipeline hands in one that hashes on a helper thread (workers/hash-offload.ts).
import crypto, { createHash } from 'node:crypto';
import type { Body, Header } from '../../model.js';

/** An incremental SHA-256 for bodies too large to keep. `update` must not keep a reference it
 * relies on being unchanged beyond what the caller promises (socket reads never change). */
export interface LargeBodyHash {
  update(data: Uint8Array): void;
  /** Hex digest, or a word saying why there is none. */
  digest(): string;
}
export type LargeBodyHashFactory = () => LargeBodyHash;

/** Hashes on the calling thread. */
export const inlineHash: LargeBodyHashFactory = () => {
  const h = createHash('sha256');
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
};

export const BODY_HEAD_BYTES = 4096;
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Pieces smaller than this are copied together instead of kept one by one. */
export const SMALL_PIECE = 4096;
/** Size of the buffer small pieces are copied into. */
const STAGE_BYTES = 64 * 1024;

/**
 * Memory is bounded by the body's bytes, not by how many pieces it came in: a chunked body
 * of 8 million one-byte chunks used to be kept as 8 million one-byte Buffers (~140 bytes
 * each: 1.1 GB for an 8 MB body). Small pieces are copied into a staging buffer, which is
 * kept (or hashed) only when full or when a large piece follows, so at most one piece is kept
 * per SMALL_PIECE bytes. A body that arrives in one piece is still kept as that piece (no copy).
 */
export class BodyAssembler {
  private pieces: Buffer[] | undefined = [];
  /** The first bytes, copied, once the body is hashed rather than kept (else taken from data). */
  private head: Buffer | undefined;
  private headLength = 0;
  private length = 0;
  /** Where small pieces are copied together; `staged` bytes of it are in use. */
  private stage: Buffer | undefined;
  private staged = 0;
  /** A lone small piece not copied yet: the whole body, when it is one small piece. */
  private lone: Buffer | undefined;
  /** Only once the body is too large to keep: a kept body is hashed in one go at the end. */
  private hash: LargeBodyHash | undefined;

  /** `declaredLength`: the Content-Length, when the head gives one. A body declared larger than
   * `maxKeep` is hashed from its first byte, so memory never holds even `maxKeep` of it. */
  constructor(
    private readonly maxKeep: number = MAX_BODY_BYTES,
    declaredLength?: number,
    private readonly newHash: LargeBodyHashFactory = inlineHash,
  ) {
    if (declaredLength !== undefined && declaredLength > maxKeep) this.startHashing();
  }

  add(data: Buffer): void {
    if (data.length === 0) return;
    if (this.pieces && this.length + data.length > this.maxKeep) {
      // Over the limit: from now on hashed; what was held is hashed first, in order.
      this.flush();
      const held = this.pieces;
      this.startHashing(held);
      for (const p of held) this.hash!.update(p);
    }
    this.length += data.length;
    if (this.head && this.headLength < BODY_HEAD_BYTES) this.headLength += data.copy(this.head, this.headLength);
    if (data.length >= SMALL_PIECE) {
      this.flush();
      this.keep(data);
    } else if (this.pieces && this.pieces.length === 0 && !this.lone && this.staged === 0) {
      this.lone = data; // maybe the whole body: kept without a copy
    } else {
      this.stageBytes(data);
    }
  }

  get size(): number {
    return this.length;
  }

  finish(framing: Body['framing'], trailers: Header[], complete: boolean): Body {
    this.flush();
    const data = this.pieces ? concat(this.pieces, this.length) : undefined;
    return {
      length: this.length,
      data,
      head: data ? data.subarray(0, BODY_HEAD_BYTES) : this.head!.subarray(0, this.headLength),
      sha256: data ? sha256Hex(data) : this.hash!.digest(),
      framing,
      trailers,
      complete,
    };
  }

  /** From now on pieces are hashed, not kept; `held` (what was kept so far) gives the head. */
  private startHashing(held: Buffer[] = []): void {
    this.pieces = undefined;
    this.head = Buffer.alloc(BODY_HEAD_BYTES);
    for (const p of held) {
      if (this.headLength >= BODY_HEAD_BYTES) break;
      this.headLength += p.copy(this.head, this.headLength);
    }
    this.hash = this.newHash();
  }

  private keep(piece: Buffer): void {
    if (this.pieces) this.pieces.push(piece);
    else this.hash!.update(piece);
  }

  /** Copies a small piece into the staging buffer (after a lone piece waiting there). */
  private stageBytes(data: Buffer): void {
    if (this.lone) {
      const lone = this.lone;
      this.lone = undefined;
      this.stageBytes(lone);
    }
    if (this.stage && this.staged + data.length > this.stage.length) {
      this.keep(this.stage.subarray(0, this.staged)); // full enough: kept as is
      this.stage = undefined;
      this.staged = 0;
    }
    this.stage ??= Buffer.allocUnsafe(STAGE_BYTES);
    data.copy(this.stage, this.staged);
    this.staged += data.length;
  }

  /** What waits in the lone piece or the staging buffer goes to the pieces (or the hash). */
  private flush(): void {
    if (this.lone) {
      this.keep(this.lone);
      this.lone = undefined;
    }
    if (this.staged > 0) {
      // A copy of just the staged bytes: the staging buffer is reused, and a mostly empty
      // 64 KiB buffer is never what a few bytes keep alive.
      this.keep(Buffer.from(this.stage!.subarray(0, this.staged)));
      this.staged = 0;
    }
  }
}

/** One-shot hashing (Node ≥ 20.12) costs about half of a Hash object for a small body. */
const sha256Hex: (data: Buffer) => string = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');

function concat(pieces: Buffer[], length: number): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
}
