// SHA-256 of large bodies on a helper thread. A body over --max-body-bytes (a 1 GiB CAB
// upload through the relay) used to be hashed on the thread that forwards the bytes: about
// 0.7 s of CPU per GiB, as much as forwarding itself. Here the forwarding thread only copies
// the body into a shared ring of slots (memcpy) and tells the helper which slot holds the next
// piece of which body; the helper hashes the slots in order on the other core and frees them.
// There is no allocation per batch and no garbage: memory is the ring, plus at most one slot's
// worth of pieces per body waiting to fill a slot.
//
// The API stays synchronous: digest() waits (Atomics.wait) for the helper to finish the last
// slot, a few milliseconds, as hashing that piece inline took. When every slot is still
// waiting to be hashed, update() waits the same way: memory stays bounded and the slowness
// reaches the sender as TCP backpressure, as it did when hashing inline.
//
// The helper is plain JavaScript evaluated from a string, so it runs the same from src/ under
// vitest and from dist/. Should it be unavailable, hashing falls back to this thread.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Bytes per slot: small enough that the last one is hashed within a couple of milliseconds
 * after the body ends, large enough that the messages cost nothing. */
export const SLOT_BYTES = 1024 * 1024;
/** Pieces shorter than this are copied into a staging buffer of STAGE_BYTES instead of being
 * kept by reference: a reference keeps the whole read it was cut from alive until its slot
 * fills (a million 1-byte chunks cut from 60 KB reads pinned 6 MB for a 1 MB body). */
const COPY_BELOW = 4096;
const STAGE_BYTES = 64 * 1024;
/** Slots in the ring: what is handed over and not hashed yet is at most this many slots. */
export const SLOTS = 4;
/** A helper that makes no progress for this long is taken for dead. */
const STALL_MS = 10_000;
/** Cells of the control array: one state per slot (0 free, 1 taken), then a release counter. */
const RELEASED = SLOTS;

const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { ring, control, slotBytes, released } = workerData;
const cells = new Int32Array(control);
const jobs = new Map();
parentPort.on('message', (m) => {
  let h = jobs.get(m.id);
  if (!h && !m.drop) jobs.set(m.id, (h = createHash('sha256')));
  if (m.length !== undefined) {
    h.update(new Uint8Array(ring, m.slot * slotBytes, m.length));
    Atomics.store(cells, m.slot, 0);
    Atomics.add(cells, released, 1);
    Atomics.notify(cells, released);
  }
  if (m.drop) jobs.delete(m.id);
  if (m.result) {
    jobs.delete(m.id);
    const out = new Int32Array(m.result, 0, 1);
    new Uint8Array(m.result, 4).set(h.digest());
    Atomics.store(out, 0, 1);
    Atomics.notify(out, 0);
  }
});
`;

interface Helper {
  worker: Worker;
  ring: Uint8Array;
  cells: Int32Array;
  alive: boolean;
}

let helper: Helper | undefined;
let helperFailed = false;
let nextId = 1;

function startHelper(): Helper | undefined {
  if (helper?.alive) return helper;
  if (helperFailed) return undefined;
  try {
    const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    const control = new SharedArrayBuffer(4 * (SLOTS + 1));
    const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { ring, control, slotBytes: SLOT_BYTES, released: RELEASED } });
    worker.unref(); // never keeps the process alive
    const h: Helper = { worker, ring: new Uint8Array(ring), cells: new Int32Array(control), alive: true };
    const lost = () => {
      h.alive = false;
      helperFailed = true;
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return (helper = h);
  } catch {
    helperFailed = true;
    return undefined;
  }
}

/** Jobs never finished (a body abandoned mid-way) are dropped on the helper when collected. */
const abandoned = new FinalizationRegistry<{ id: number; worker: Worker }>(({ id, worker }) => {
  try {
    worker.postMessage({ id, drop: true });
  } catch {
    // the helper is gone; so is the job
  }
});

/** An incremental SHA-256 whose hashing runs on the helper thread when there is one. */
export class OffloadedHash {
  private readonly id = nextId++;
  private readonly helper = startHelper();
  /** Inline when there is no helper. */
  private readonly inline: Hash | undefined;
  /** The helper stalled with part of this body: its digest is "unavailable", nothing more is
   * hashed for it. */
  private lost = false;
  /** Pieces not handed over yet (the caller's buffers, not copies), under one slot in total. */
  private pending: Uint8Array[] = [];
  /** Bytes in `pending` and `stage` together. */
  private pendingLength = 0;
  /** Small pieces copied together (see COPY_BELOW); `staged` bytes of it are in use. */
  private stage: Buffer | undefined;
  private staged = 0;

  constructor() {
    if (this.helper) abandoned.register(this, { id: this.id, worker: this.helper.worker }, this);
    else this.inline = createHash('sha256');
  }

  /** The caller must not change `data` afterwards (socket reads never are). */
  update(data: Uint8Array): void {
    if (this.lost) return;
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
  }

  /** The staged small pieces join `pending`, in order. */
  private flushStage(): void {
    if (!this.stage || this.staged === 0) return;
    this.pending.push(this.stage.subarray(0, this.staged));
    this.stage = undefined;
    this.staged = 0;
  }

  /** Hex digest; waits for the helper to hash what it was given. */
  digest(): string {
    abandoned.unregister(this);
    if (this.inline) return this.inline.digest('hex');
    this.flushStage();
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

  /** Copies pending pieces into free slots, one message per slot: only full slots, unless
   * `last` (the rest of the body then goes too). */
  private handOver(last: boolean): void {
    const h = this.helper!;
    while (this.pendingLength >= SLOT_BYTES || (last && this.pendingLength > 0)) {
      const slot = takeSlot(h);
      if (slot < 0) return this.giveUp();
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
  }

  /** The helper stopped making progress: this body's digest is unavailable. */
  private giveUp(): void {
    stalled(this.helper!);
    this.lost = true;
    this.pending = [];
    this.pendingLength = 0;
    this.stage = undefined;
    this.staged = 0;
  }
}

/** Taken for dead at once, by every body: its 'exit' event cannot arrive while this thread
 * waits, and each body would otherwise wait STALL_MS of its own. New bodies hash inline. */
function stalled(h: Helper): void {
  h.alive = false;
  helperFailed = true;
}

/** A free slot, marked taken; waits while the helper is still hashing every one. -1 when it
 * made no progress for STALL_MS. */
function takeSlot(h: Helper): number {
  const cells = h.cells;
  let since = Date.now();
  for (;;) {
    if (!h.alive) return -1;
    const seen = Atomics.load(cells, RELEASED);
    for (let i = 0; i < SLOTS; i++) {
      if (Atomics.load(cells, i) === 0) {
        Atomics.store(cells, i, 1);
        return i;
      }
    }
    if (Atomics.wait(cells, RELEASED, seen, 100) !== 'timed-out') since = Date.now();
    else if (Date.now() - since > STALL_MS) return -1;
  }
}

/** Waits (blocking this thread) until `done()`; false when nothing happened for STALL_MS. */
function waitFor(done: () => boolean, cells: Int32Array, index: number): boolean {
  const since = Date.now();
  while (!done()) {
    if (Atomics.wait(cells, index, 0, 100) === 'timed-out' && Date.now() - since > STALL_MS) return false;
  }
  return true;
}

/** The factory the pipeline hands to its framers (http/body-assembler.ts). */
export const offloadedHash = (): OffloadedHash => new OffloadedHash();
