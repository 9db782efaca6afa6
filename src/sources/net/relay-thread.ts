// startRelay on a thread of its own. The tap (framing, decoding, the check, the human view,
// every output) costs the relay CLI more CPU per exchange than forwarding does; on the same
// thread it delayed every forwarded byte behind the decoding of the one before. Here the
// sockets live on a worker thread that only forwards and copies what it forwarded into
// batches; this thread gets the same callbacks as startRelay's, in the same order, and decodes
// while the next bytes are already being forwarded. A slow output still slows the clients that
// feed it (see relay-worker.ts), never memory.
//
// The worker needs the compiled relay-worker.js beside this file; where there is none (the
// TypeScript sources run by vitest), the relay runs on this thread, as startRelay.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Chunk, ConnectionInfo, Direction } from '../../model.js';
import type { GateSpec } from './gate-spec.js';
import type { Refusal } from './gate.js';
import { gateFromSpec } from './gate-spec.js';
import { startRelay, type RelayHandle, type RelayOptions } from './relay.js';
import { byteRingMemory, ByteRingReader, type ByteRingMemory } from './byte-ring.js';
import { earlyGc, type EarlyGcOptions } from '../../pipeline/early-gc.js';
import { HELPER_THREAD_LIMITS } from '../../pipeline/workers/thread-limits.js';

/** Bytes of the ring the relay thread copies small (or not yet written) reads into. */
export const RING_BYTES = 2 * 1024 * 1024;
/** A chunk event's `slot` for bytes in the ring (at `offset`). */
export const RING_SLOT = -1;
/**
 * Memory moved in from the relay thread does not count towards V8's own schedule at all: the
 * reads transferred from there pile up as garbage until an unrelated collection. A
 * young-generation collection every 4 MB tapped frees most of them; what those leave behind
 * (and a big body that died old) a full collection frees, run every 64 MB tapped while more
 * than 8 MB of memory moved in is held. This thread serves no socket of the relayed traffic,
 * and what it holds live is usually little: a body's kept first MiB, the bytes waiting for the
 * hash helper and the outputs (bodies kept whole, --include-bodies or --web, are more: the
 * checks then back off; see early-gc.ts).
 */
const TAP_GC: EarlyGcOptions = { minorEvery: 4 * 1024 * 1024, fullWhenHeld: { every: 64 * 1024 * 1024, above: 8 * 1024 * 1024, movedIn: true } };
const tappedGarbage = earlyGc(TAP_GC);

/** What crosses to the worker: everything but the callbacks and the gate (sent as a spec).
 * `holds(conn)`, asked after each chunk onChunk took: what the outputs hold back this
 * connection alone for (its bytes wait behind another's and are over their memory budget); the
 * relay stops reading that connection until it settles. onChunk's own wait (an output backed
 * up) holds every connection once the outputs are MAX_UNACKED_BYTES behind. */
export type RelayThreadOptions = Omit<RelayOptions, 'gate'> & { gate: GateSpec; holds?(conn: ConnectionInfo): Promise<void> | null };

export interface RelayThreadInit {
  options: Omit<RelayOptions, 'gate' | 'onChunk' | 'onOpen' | 'onClose' | 'onShutdown' | 'onNotice' | 'onRefused'>;
  gate: GateSpec;
  ring: ByteRingMemory;
}

export type RelayThreadEvent =
  | { type: 'open'; conn: ConnectionInfo }
  /** The bytes are `length` bytes at `offset` in the batch's buffer number `slot`, or in the
   * ring when `slot` is RING_SLOT. */
  | { type: 'chunk'; connId: number; source: Direction; ts: number; length: number; slot: number; offset: number }
  | { type: 'shutdown'; connId: number; source: 'client' | 'server'; how: 'fin' | 'reset' }
  | { type: 'close'; conn: ConnectionInfo; reason?: string }
  | { type: 'notice'; message: string; connId?: number }
  | { type: 'refused'; refusal: Refusal };

/** `hold`/`release`: the outputs hold back one connection (its bytes wait behind another's and
 * their memory is over budget): the relay thread stops reading it until as many releases came. */
export type ToRelayThread = { type: 'ack'; bytes: number } | { type: 'close' } | { type: 'hold' | 'release'; connId: number };

type FromRelayThread =
  /** `ringHead`: the ring position after this batch's bytes (released once they are taken). */
  | { type: 'batch'; events: RelayThreadEvent[]; buffers: ArrayBuffer[]; ringHead: number; connections: number }
  | { type: 'listening'; port: number; address: string }
  | { type: 'listen-error'; message: string; code?: string }
  | { type: 'closed' };

const WORKER_URL = new URL('./relay-worker.js', import.meta.url);

/** Whether relays started here get their own thread (false when running from sources). */
export const relayThreadAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL));

/** A relay on its own thread; `failed` settles only if that thread dies (a bug): nothing is
 * forwarded any more, and the run should stop. */
export type RelayThreadHandle = RelayHandle & { failed?: Promise<Error> };

export function startRelayThread(opts: RelayThreadOptions): Promise<RelayThreadHandle> {
  const { onChunk, onOpen, onClose, onShutdown, onNotice, onRefused, gate, upstreamTls, holds: holdsOf, ...rest } = opts;
  if (!relayThreadAvailable()) {
    // One thread: a wait holds the socket that sent the chunk only.
    const tap: RelayOptions['onChunk'] = (chunk, conn, released) => onChunk(chunk, conn, released) ?? holdsOf?.(conn);
    return startRelay({ ...opts, onChunk: tap, gate: gateFromSpec(gate) });
  }
  const ring = byteRingMemory(RING_BYTES);
  const fromRing = new ByteRingReader(ring);
  const init: RelayThreadInit = { options: { ...rest, upstreamTls }, gate, ring };
  const worker = new Worker(WORKER_URL, { workerData: init, resourceLimits: HELPER_THREAD_LIMITS });
  /** The main thread's copy of each open connection, as the worker last described it. */
  const conns = new Map<number, ConnectionInfo>();
  let open = 0;
  let closed: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  const onBatch = (events: RelayThreadEvent[], buffers: ArrayBuffer[], ringHead: number): void => {
    let at = 0;
    let waits: Promise<void>[] | undefined;
    /** Connections the outputs hold back alone, with what they wait for (one hold per batch). */
    let holds: Map<number, Promise<void>[]> | undefined;
    for (const ev of events) {
      switch (ev.type) {
        case 'open':
          conns.set(ev.conn.id, ev.conn);
          onOpen(ev.conn);
          break;
        case 'chunk': {
          const conn = conns.get(ev.connId);
          const chunk: Chunk = { connId: ev.connId, source: ev.source, ts: ev.ts, bytes: ev.slot === RING_SLOT ? fromRing.take(ev.offset, ev.length) : Buffer.from(buffers[ev.slot]!, ev.offset, ev.length) };
          at += ev.length;
          if (!conn) break;
          // `conn`'s byte counters are the relay thread's at open; its 'close' event has the
          // final ones (the recorder counts what it is given itself).
          const wait = onChunk(chunk, conn, true);
          if (wait instanceof Promise) (waits ??= []).push(wait);
          const own = holdsOf?.(conn);
          if (own) {
            holds ??= new Map();
            const list = holds.get(ev.connId);
            if (list) list.push(own);
            else holds.set(ev.connId, [own]);
          }
          break;
        }
        case 'shutdown': {
          const conn = conns.get(ev.connId);
          if (conn) onShutdown?.(conn, ev.source, ev.how);
          break;
        }
        case 'close':
          conns.delete(ev.conn.id);
          onClose(ev.conn, ev.reason);
          break;
        case 'notice':
          onNotice(ev.message, ev.connId === undefined ? undefined : conns.get(ev.connId));
          break;
        case 'refused':
          onRefused?.(ev.refusal);
          break;
      }
    }
    fromRing.release(ringHead);
    tappedGarbage(at);
    // A connection held alone (its bytes wait behind another's, over budget): the relay thread
    // stops reading it until the wait ends. Holding every connection instead (the
    // acknowledgement) would also stop the one whose close lets the waiting ones go on.
    if (holds) {
      for (const [connId, waits] of holds) {
        worker.postMessage({ type: 'hold', connId } satisfies ToRelayThread);
        const release = () => worker.postMessage({ type: 'release', connId } satisfies ToRelayThread);
        void Promise.all(waits).then(release, release);
      }
    }
    // The bytes are acknowledged once the outputs have taken them: a backed-up output holds the
    // acknowledgement, and with it (past the worker's bound) the connections that feed it.
    if (!at) return;
    const ack = () => worker.postMessage({ type: 'ack', bytes: at } satisfies ToRelayThread);
    if (waits) void Promise.all(waits).then(ack, ack);
    else ack();
  };

  let fail!: (err: Error) => void;
  const failed = new Promise<Error>((r) => (fail = r));
  /** The worker has exited: asked to (after 'closed'), or not (then it is a failure). */
  let exited = false;
  return new Promise<RelayThreadHandle>((resolve, reject) => {
    let started = false;
    worker.on('message', (m: FromRelayThread) => {
      switch (m.type) {
        case 'batch':
          open = m.connections;
          onBatch(m.events, m.buffers, m.ringHead);
          break;
        case 'listening':
          started = true;
          resolve({
            port: m.port,
            address: m.address,
            failed,
            connections: () => open,
            close: () => (closing ??= new Promise<void>((done) => {
              // A dead relay thread cannot answer 'close': its sockets went with it.
              if (exited) return done();
              closed = done;
              worker.postMessage({ type: 'close' } satisfies ToRelayThread);
            })),
          });
          break;
        case 'listen-error':
          reject(Object.assign(new Error(m.message), { code: m.code }));
          void worker.terminate();
          break;
        case 'closed':
          open = 0;
          void worker.terminate(); // its 'exit' ends close()
          break;
      }
    });
    // A bug in the relay thread (an error, or an exit nobody asked for): nothing is forwarded
    // any more, so the run must not go on; a close() waiting for it returns.
    const died = (err: Error): void => {
      if (!started) reject(err);
      else fail(err);
    };
    worker.on('error', died);
    worker.on('exit', (code) => {
      exited = true;
      open = 0;
      if (closed) closed();
      else died(new Error(`the relay thread exited (code ${code})`));
    });
  });
}
