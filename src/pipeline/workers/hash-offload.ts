// SHA-256 of large bodies on a helper thread. A body over --max-body-bytes (a 1 GiB CAB upload
// through the relay) used to be hashed on the thread that forwards the bytes: about 0.7 s of
// CPU per GiB, as much as forwarding itself. Here the forwarding thread only copies the body
// into a shared ring of slots (memcpy) and tells the helper which slot holds the next piece of
// which body; the helper hashes the slots in order on the other core and frees them. There is
// no allocation per batch and no garbage: memory is the ring, plus the pieces not handed over.
//
// Two ways to wait for the helper:
// - In the background (listen, relay: `background`), the thread that serves sockets never
//   waits. When every slot is still being hashed, pieces wait (by reference) for the next free
//   slot; past BACKLOG_BYTES of them, the body's owner is told to pause its sender
//   (`onBacklog`): the slowness reaches the sender as TCP backpressure, memory stays bounded.
//   digest() returns a promise, and the pipeline holds the message's event until it settles
//   (connection-recorder.ts); other connections go on.
// - Blocking (offline decoding, where no socket waits): update() and digest() wait
//   (Atomics.wait) for a free slot or the last digest, a few milliseconds.
//
// The helper thread and its ring are in hash-helper.ts. Should it be unavailable, hashing falls
// back to this thread.
import { createHash, type Hash } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { LargeBodyHash } from '../http/body-assembler.js';
import { SLOT_BYTES, freeSlot, keepAlive, stalled, startHelper, takeSlot, waitFor } from './hash-helper.js';

export { SLOT_BYTES, SLOTS } from './hash-helper.js';

/** Pieces shorter than this are copied into a staging buffer of STAGE_BYTES instead of being
 * kept by reference: a reference keeps the whole read it was cut from alive until its slot
 * fills (a million 1-byte chunks cut from 60 KB reads pinned 6 MB for a 1 MB body). */
const COPY_BELOW = 4096;
const STAGE_BYTES = 64 * 1024;
/** Bytes of one body waiting for a free slot beyond which its sender is asked to pause. */
export const BACKLOG_BYTES = 2 * SLOT_BYTES;

let nextId = 1;

/** Jobs never finished (a body abandoned mid-way) are dropped on the helper when collected. */
const abandoned = new FinalizationRegistry<{ id: number; worker: Worker }>(({ id, worker }) => {
  try {
    worker.postMessage({ id, drop: true });
  } catch {
    // the helper is gone; so is the job
  }
});

export interface OffloadedHashOptions {
  /** Never wait for the helper on this thread: digest() gives a promise, and a body that
   * outruns the helper calls `onBacklog` instead of waiting for a slot. */
  background?: boolean;
  /** Background only: told (once per episode) when this body's pieces waiting for the helper
   * pass BACKLOG_BYTES, with a promise that settles when they are under it again: the caller
   * pauses the body's sender until then. */
  onBacklog?(drained: Promise<void>): void;
}

/** An incremental SHA-256 whose hashing runs on the helper thread when there is one. */
export class OffloadedHash implements LargeBodyHash {
  private readonly id = nextId++;
  private readonly helper = startHelper();
  /** Inline when there is no helper. */
  private readonly inline: Hash | undefined;
  /** The helper stalled with part of this body: its digest is "unavailable", nothing more is
   * hashed for it. */
  private lost = false;
  /** Pieces not handed over yet (the caller's buffers, not copies). */
  private pending: Uint8Array[] = [];
  /** Bytes in `pending` and `stage` together. */
  private pendingLength = 0;
  /** Small pieces copied together (see COPY_BELOW); `staged` bytes of it are in use. */
  private stage: Buffer | undefined;
  private staged = 0;
  /** Background: in the helper's queue of bodies waiting for a slot. */
  private queued = false;
  /** Background: the body ended; everything pending goes, then the digest is asked for. */
  private ending?: (hex: string) => void;
  /** Background: settles once the pieces waiting are under BACKLOG_BYTES again. */
  private backlog?: { promise: Promise<void>; resolve(): void };

  constructor(private readonly opts: OffloadedHashOptions = {}) {
    if (this.helper) abandoned.register(this, { id: this.id, worker: this.helper.worker }, this);
    else this.inline = createHash('sha256');
  }

  /** The caller must not change `data` afterwards (socket reads never are). */
  update(data: Uint8Array): void {
    if (this.lost || this.ending) return;
    if (this.inline) return void this.inline.update(data);
    if (data.length === 0) return;
    if (data.length < COPY_BELOW) {
      if (this.stage && this.staged + data.length > this.stage.length) this.flushStage();
      this.stage ??= Buffer.allocUnsafe(STAGE_BYTES);
      this.stage.set(data, this.staged);
      this.staged += data.length;
    } else {
      this.flushStage();
      this.pending.push(data);
    }
    this.pendingLength += data.length;
    if (this.pendingLength >= SLOT_BYTES) {
      this.flushStage();
      this.handOver(false);
    }
    if (this.opts.background && this.pendingLength >= BACKLOG_BYTES && !this.backlog && !this.lost) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.backlog = { promise, resolve };
      this.opts.onBacklog?.(promise);
    }
  }

  /** Hex digest, or (background) a promise of it once the helper hashed what it was given.
   * Never throws or rejects: a helper that failed gives "unavailable". */
  digest(): string | Promise<string> {
    abandoned.unregister(this);
    if (this.inline) return this.inline.digest('hex');
    if (this.lost) return 'unavailable';
    this.flushStage();
    if (this.opts.background) {
      return new Promise<string>((resolve) => {
        this.ending = resolve;
        this.handOver(true);
      });
    }
    this.handOver(true);
    if (this.lost || !this.helper!.alive) return 'unavailable';
    const result = new SharedArrayBuffer(4 + 32);
    const flag = new Int32Array(result, 0, 1);
    this.helper!.worker.postMessage({ id: this.id, result });
    if (!waitFor(() => Atomics.load(flag, 0) === 1, flag, 0)) {
      stalled(this.helper!);
      return 'unavailable';
    }
    return Buffer.from(result, 4, 32).toString('hex');
  }

  /** Background: a slot was freed while this body waited for one (the helper's queue). */
  resume(): void {
    this.queued = false;
    this.handOver(this.ending !== undefined);
  }

  /** The helper stopped making progress: this body's digest is unavailable. */
  giveUp(): void {
    this.lost = true;
    this.queued = false;
    this.pending = [];
    this.pendingLength = 0;
    this.stage = undefined;
    this.staged = 0;
    this.drained();
    const end = this.ending;
    this.ending = undefined;
    end?.('unavailable');
  }

  /** The staged small pieces join `pending`, in order. */
  private flushStage(): void {
    if (!this.stage || this.staged === 0) return;
    this.pending.push(this.stage.subarray(0, this.staged));
    this.stage = undefined;
    this.staged = 0;
  }

  /** Copies pending pieces into free slots, one message per slot: only full slots, unless
   * `last` (the rest of the body then goes too; in the background the digest is then asked
   * for). No free slot: blocking, waits for one; in the background, waits in the helper's
   * queue without blocking. */
  private handOver(last: boolean): void {
    const h = this.helper!;
    if (!h.alive) return this.giveUp();
    const background = this.opts.background === true;
    while (!this.queued && (this.pendingLength >= SLOT_BYTES || (last && this.pendingLength > 0))) {
      const slot = background ? freeSlot(h) : takeSlot(h);
      if (slot < 0 && !background) return this.giveUp();
      if (slot < 0) {
        this.queued = true;
        h.waiting.push(this);
        keepAlive(h);
        return;
      }
      Atomics.store(h.cells, slot, 1);
      const want = Math.min(SLOT_BYTES, this.pendingLength);
      let used = 0;
      while (used < want) {
        const piece = this.pending[0]!;
        const n = Math.min(piece.length, want - used);
        h.ring.set(n === piece.length ? piece : piece.subarray(0, n), slot * SLOT_BYTES + used);
        used += n;
        if (n === piece.length) this.pending.shift();
        else this.pending[0] = piece.subarray(n);
      }
      this.pendingLength -= used;
      h.worker.postMessage({ id: this.id, slot, length: used });
    }
    if (!background) return;
    if (this.pendingLength < BACKLOG_BYTES) this.drained();
    if (this.ending && this.pendingLength === 0 && !this.queued) {
      h.digests.set(this.id, this.ending);
      this.ending = undefined;
      h.worker.postMessage({ id: this.id, result: true });
      keepAlive(h);
    }
  }

  private drained(): void {
    const b = this.backlog;
    this.backlog = undefined;
    b?.resolve();
  }
}

/** The factory offline framers get (http/body-assembler.ts): blocking waits, where no socket
 * is served. */
export const offloadedHash = (): OffloadedHash => new OffloadedHash();

/** The factory the thread that serves sockets gets: never waits (see OffloadedHashOptions). */
export const backgroundHash = (onBacklog?: (drained: Promise<void>) => void): OffloadedHash => new OffloadedHash({ background: true, onBacklog });
