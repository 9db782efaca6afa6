// The helper thread that hashes large bodies for hash-offload.ts: a shared ring of SLOTS slots
// of SLOT_BYTES, one control cell per slot (0 free, 1 taken: set by the body that fills it,
// cleared by the helper once hashed) and a release counter. The helper says each release and
// each digest asked for by message (bodies hashed in the background wait for those, never
// blocking), and also wakes Atomics.wait (bodies hashed blocking, offline). Its source is plain
// JavaScript evaluated from a string, so it runs the same from src/ under vitest and from dist/.
import { Worker } from 'node:worker_threads';
import { HELPER_THREAD_LIMITS } from './thread-limits.js';

/** Bytes per slot: small enough that the last one is hashed within a couple of milliseconds
 * after the body ends, large enough that the messages cost nothing. */
export const SLOT_BYTES = 1024 * 1024;
/** Slots in the ring: what is handed over and not hashed yet is at most this many slots. */
export const SLOTS = 4;
/** A helper that makes no progress for this long, while a body waits for it, is taken for dead. */
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
    parentPort.postMessage({ released: m.slot });
  }
  if (m.drop) jobs.delete(m.id);
  if (m.result) {
    jobs.delete(m.id);
    const hex = h.digest('hex');
    if (m.result === true) return parentPort.postMessage({ id: m.id, digest: hex });
    const out = new Int32Array(m.result, 0, 1);
    new Uint8Array(m.result, 4).set(Buffer.from(hex, 'hex'));
    Atomics.store(out, 0, 1);
    Atomics.notify(out, 0);
  }
});
`;

/** What waits on the helper: a body in the background (hash-offload.ts). */
export interface Waiter {
  /** A slot was freed. */
  resume(): void;
  /** The helper is gone: the body's digest is unavailable. */
  giveUp(): void;
}

export interface Helper {
  worker: Worker;
  ring: Uint8Array;
  /** One cell per slot: 0 free, 1 taken (set here, cleared by the helper); then RELEASED. */
  cells: Int32Array;
  alive: boolean;
  /** Bodies waiting for a free slot, in the order they asked. */
  waiting: Waiter[];
  /** Digests asked for and not back yet, by body id. */
  digests: Map<number, (hex: string) => void>;
  /** Ends the helper when it made no progress for STALL_MS while something waited on it. */
  stall?: NodeJS.Timeout;
}

let helper: Helper | undefined;
let helperFailed = false;
let nextId = 1;

export function startHelper(): Helper | undefined {
  if (helper?.alive) return helper;
  if (helperFailed) return undefined;
  try {
    const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    const control = new SharedArrayBuffer(4 * (SLOTS + 1));
    const worker = new Worker(HELPER_SOURCE, { eval: true, resourceLimits: HELPER_THREAD_LIMITS, workerData: { ring, control, slotBytes: SLOT_BYTES, released: RELEASED } });
    worker.unref(); // kept alive only while something waits on it (keepAlive)
    const h: Helper = { worker, ring: new Uint8Array(ring), cells: new Int32Array(control), alive: true, waiting: [], digests: new Map() };
    worker.on('message', (m: { released?: number; id?: number; digest?: string }) => {
      if (m.released !== undefined) {
        progressed(h);
        // Bodies waiting for a slot go on, oldest first, while slots are free.
        while (h.waiting.length && freeSlot(h) >= 0) h.waiting.shift()!.resume();
      }
      if (m.id !== undefined) {
        const done = h.digests.get(m.id);
        h.digests.delete(m.id);
        progressed(h);
        done?.(m.digest ?? 'unavailable');
      }
      keepAlive(h);
    });
    const lost = () => stalled(h);
    worker.on('error', lost);
    worker.on('exit', lost);
    return (helper = h);
  } catch {
    helperFailed = true;
    return undefined;
  }
}

/** The helper is needed (a body waits for a slot or a digest): it keeps the process alive and
 * is watched for stalls; once nothing waits, neither. */
export function keepAlive(h: Helper): void {
  const needed = h.alive && (h.waiting.length > 0 || h.digests.size > 0);
  if (needed) {
    h.worker.ref();
    h.stall ??= setTimeout(() => stalled(h), STALL_MS);
  } else {
    h.worker.unref();
    if (h.stall) clearTimeout(h.stall);
    h.stall = undefined;
  }
}

/** The helper answered: the stall clock starts again. */
function progressed(h: Helper): void {
  h.stall?.refresh();
}

/** Taken for dead, for every body: what waits on it settles ('unavailable'), new bodies hash
 * inline. */
export function stalled(h: Helper): void {
  if (!h.alive) return;
  h.alive = false;
  helperFailed = true;
  if (h.stall) clearTimeout(h.stall);
  h.stall = undefined;
  for (const body of h.waiting.splice(0)) body.giveUp();
  for (const done of h.digests.values()) done('unavailable');
  h.digests.clear();
  h.worker.unref();
  void h.worker.terminate();
}

/** A free slot, not yet taken; -1 when the helper is still hashing every one. */
export function freeSlot(h: Helper): number {
  for (let i = 0; i < SLOTS; i++) if (Atomics.load(h.cells, i) === 0) return i;
  return -1;
}


/** Blocking: a free slot, marked taken by the caller; waits while the helper is still hashing
 * every one. -1 when it made no progress for STALL_MS. */
export function takeSlot(h: Helper): number {
  let since = Date.now();
  for (;;) {
    if (!h.alive) return -1;
    const seen = Atomics.load(h.cells, RELEASED);
    const slot = freeSlot(h);
    if (slot >= 0) return slot;
    if (Atomics.wait(h.cells, RELEASED, seen, 100) !== 'timed-out') since = Date.now();
    else if (Date.now() - since > STALL_MS) {
      stalled(h);
      return -1;
    }
  }
}

/** Blocking: waits until `done()`; false when nothing happened for STALL_MS. */
export function waitFor(done: () => boolean, cells: Int32Array, index: number): boolean {
  const since = Date.now();
  while (!done()) {
    if (Atomics.wait(cells, index, 0, 100) === 'timed-out' && Date.now() - since > STALL_MS) return false;
  }
  return true;
}
