// Collects the de-chunked body of one message as the framer emits it: counts it, hashes it,
// keeps the first bytes always and the whole body only up to a limit. It never keeps a body
// that is over the limit, so a 2 GiB upload costs a hash state, BODY_HEAD_BYTES and the
// hashing helper's bounded batches of memory (see hash-offload.ts).
import crypto, { createHash } from 'node:crypto';
import type { Body, Header } from '../model.js';
import { OffloadedHash } from './hash-offload.js';

export const BODY_HEAD_BYTES = 4096;
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyAssembler {
  private pieces: Buffer[] | undefined = [];
  private headPieces: Buffer[] = [];
  private headLength = 0;
  private length = 0;
  /** Only once the body is too large to keep: a kept body is hashed in one go at the end. */
  private hash: OffloadedHash | undefined;

  /** `declaredLength`: the Content-Length, when the head gives one. A body declared larger than
   * `maxKeep` is hashed from its first byte, so memory never holds even `maxKeep` of it. */
  constructor(private readonly maxKeep: number = MAX_BODY_BYTES, declaredLength?: number) {
    if (declaredLength !== undefined && declaredLength > maxKeep) {
      this.pieces = undefined;
      this.hash = new OffloadedHash();
    }
  }

  add(data: Buffer): void {
    if (data.length === 0) return;
    this.length += data.length;
    if (this.headLength < BODY_HEAD_BYTES) {
      const take = data.subarray(0, BODY_HEAD_BYTES - this.headLength);
      this.headPieces.push(take);
      this.headLength += take.length;
    }
    if (this.pieces) {
      if (this.length > this.maxKeep) {
        this.hash = new OffloadedHash();
        for (const p of this.pieces) this.hash.update(p);
        this.pieces = undefined;
      } else {
        this.pieces.push(data);
        return;
      }
    }
    this.hash!.update(data);
  }

  get size(): number {
    return this.length;
  }

  finish(framing: Body['framing'], trailers: Header[], complete: boolean): Body {
    const data = this.pieces ? concat(this.pieces, this.length) : undefined;
    return {
      length: this.length,
      data,
      head: data ? data.subarray(0, BODY_HEAD_BYTES) : concat(this.headPieces, this.headLength),
      sha256: data ? sha256Hex(data) : this.hash!.digest(),
      framing,
      trailers,
      complete,
    };
  }
}

/** One-shot hashing (Node ≥ 20.12) costs about half of a Hash object for a small body. */
const sha256Hex: (data: Buffer) => string = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');

function concat(pieces: Buffer[], length: number): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
}
