// The relay thread (see relay-thread.ts): runs startRelay here, on its own event loop, and
// sends what its callbacks see to the main thread in batches, one per turn of this loop: the
// events in order; the tapped bytes either transferred (large reads, moved, not copied) or
// copied into a shared ring (see byte-ring.ts). The main thread acknowledges the bytes once its
// outputs were given them; while more than MAX_UNACKED_BYTES wait for that, the connections
// that send more are not read (TCP backpressure). A connection the outputs hold back (a slow
// output, or its bytes waiting over budget) is held here alone until the main thread releases
// it, so memory stays bounded exactly as it did in one thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { ConnectionInfo } from '../../model.js';
import { startRelay, type RelayHandle } from './relay.js';
import { gateFromSpec } from './gate-spec.js';
import { ByteRingWriter } from './byte-ring.js';
import { RING_SLOT, type RelayThreadEvent, type RelayThreadInit, type ToRelayThread } from './relay-thread.js';

/** Tapped bytes handed to the main thread and not yet taken by its outputs, at most. */
export const MAX_UNACKED_BYTES = 4 * 1024 * 1024;
/** A batch is sent at the end of the loop turn, or as soon as it holds this many bytes. */
const BATCH_BYTES = 1024 * 1024;
/** Reads at least this large are moved to the main thread rather than copied. */
const TRANSFER_MIN_BYTES = 16 * 1024;
/** On close, how long to wait for the last connections' close events. */
const CLOSE_WAIT_MS = 2_000;

const port = parentPort!;
const init = workerData as RelayThreadInit;

let events: RelayThreadEvent[] = [];
/** Large reads of this batch, transferred as they came. */
let buffers: ArrayBuffer[] = [];
const ring = new ByteRingWriter(init.ring);
let batchBytes = 0;
let scheduled = false;
let unacked = 0;
let waiting: (() => void)[] = [];
/** Connections the main thread's outputs hold back (see ToRelayThread): not read until released. */
const held = new Map<number, { count: number; wait: Promise<void>; go: () => void }>();
let handle: RelayHandle | undefined;
/** Connections opened and not yet closed (as the callbacks saw them). */
let live = 0;

function queue(ev: RelayThreadEvent): void {
  events.push(ev);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  scheduled = false;
  if (!events.length) return;
  port.postMessage({ type: 'batch', events, buffers, ringHead: ring.head, connections: handle?.connections() ?? 0 }, buffers);
  events = [];
  buffers = [];
  batchBytes = 0;
}

/** Where the chunk's bytes travel. A read of TRANSFER_MIN_BYTES or more that owns its memory
 * goes as it is once nothing else refers to it (the forwarding write is done); anything else is
 * copied into the ring, or, when the ring is full, into memory of its own that is transferred.
 * Copying large reads cost page faults as well as the copy where the memory was fresh (0.46 s
 * of CPU per GiB in a profile); moving many small ones one by one costs more than copying. */
function place(bytes: Buffer, released: boolean): { slot: number; offset: number } {
  const ab = bytes.buffer as ArrayBuffer;
  const whole = bytes.byteOffset === 0 && ab.byteLength === bytes.length && !(ab instanceof SharedArrayBuffer);
  if (!(released && whole && bytes.length >= TRANSFER_MIN_BYTES)) {
    const at = ring.put(bytes);
    if (at >= 0) return { slot: RING_SLOT, offset: at };
  }
  const own = released && whole ? ab : (Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer);
  return { slot: buffers.push(own) - 1, offset: 0 };
}

port.on('message', (m: ToRelayThread) => {
  if (m.type === 'ack') {
    unacked -= m.bytes;
    if (unacked <= MAX_UNACKED_BYTES && waiting.length) {
      const go = waiting;
      waiting = [];
      for (const resume of go) resume();
    }
  } else if (m.type === 'hold') {
    const h = held.get(m.connId);
    if (h) h.count++;
    else {
      let go!: () => void;
      const wait = new Promise<void>((r) => (go = r));
      held.set(m.connId, { count: 1, wait, go });
    }
  } else if (m.type === 'release') {
    const h = held.get(m.connId);
    if (h && --h.count === 0) {
      held.delete(m.connId);
      h.go();
    }
  } else if (m.type === 'close') {
    // Closed means every connection's close event is in the last batch: the listening socket
    // can be closed while an upstream socket still is closing.
    void (handle?.close() ?? Promise.resolve()).then(async () => {
      for (const give = Date.now() + CLOSE_WAIT_MS; live > 0 && Date.now() < give;) await new Promise((r) => setTimeout(r, 5));
      flush();
      port.postMessage({ type: 'closed' });
    });
  }
});

const copy = (conn: ConnectionInfo): ConnectionInfo => ({ ...conn });

startRelay({
  ...init.options,
  gate: gateFromSpec(init.gate),
  onOpen(conn) {
    live++;
    queue({ type: 'open', conn: copy(conn) });
  },
  onChunk(chunk, _conn, released) {
    const { slot, offset } = place(chunk.bytes, released);
    queue({ type: 'chunk', connId: chunk.connId, source: chunk.source, ts: chunk.ts, length: chunk.bytes.length, slot, offset });
    batchBytes += chunk.bytes.length;
    unacked += chunk.bytes.length;
    if (batchBytes >= BATCH_BYTES) flush();
    const hold = held.get(chunk.connId)?.wait;
    if (unacked <= MAX_UNACKED_BYTES) return hold ?? null;
    const behind = new Promise<void>((resume) => waiting.push(resume));
    return hold ? Promise.all([hold, behind]).then(() => undefined) : behind;
  },
  onShutdown: (conn, source, how) => queue({ type: 'shutdown', connId: conn.id, source, how }),
  onClose(conn, reason) {
    live--;
    held.get(conn.id)?.go();
    held.delete(conn.id);
    queue({ type: 'close', conn: copy(conn), reason });
  },
  onNotice: (message, conn) => queue({ type: 'notice', message, connId: conn?.id }),
  onRefused: (refusal) => queue({ type: 'refused', refusal }),
}).then(
  (h) => {
    handle = h;
    port.postMessage({ type: 'listening', port: h.port, address: h.address });
  },
  (err: NodeJS.ErrnoException) => port.postMessage({ type: 'listen-error', message: err.message, code: err.code }),
);
