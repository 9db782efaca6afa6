// Early collections for threads whose garbage is mostly ArrayBuffers: socket reads, inflated
// CAB blocks, bytes moved in from another thread. V8 schedules its collections by the
// JavaScript heap, where a Buffer of any size costs a few dozen bytes; the memory behind dead
// Buffers goes back only when the ArrayBuffer memory has grown by ~64 MB since the last full
// collection, or when a collection comes for another reason (and memory moved in from another
// thread does not count towards that at all). A thread that moves a GiB through 64 KiB buffers
// thus held up to ~64 MB of dead ones at any time: the listener's socket thread and its CAB
// worker held ~110 MB between them during a 1 GiB upload and its extraction.
//
// A young-generation collection every few MB of such buffers (~1 ms) frees them while they
// are young. Where objects live across many of those (a decoder's per-block state), they are
// promoted and their garbage piles up in the old generation instead: a full collection every
// few dozen MB (a few ms with a small heap) is for threads where a pause costs nobody (the CAB
// worker), never for one that serves sockets.
//
// The young collections have a cost of their own: ArrayBuffer memory no longer grows the way
// V8 watches for, so a large buffer that lived long enough to be old (a 64 MiB body kept for
// decoding) stays after it died, until some full collection: after one 64 MiB POST the relay's
// decoding thread held ~85 MB of dead ArrayBuffers through three further GiB. Hence
// `fullWhenHeld`: every so many bytes, if more than `above` bytes of ArrayBuffers are held
// (live or not), a full collection. When that much is still held after it (really live: the
// web inspector's history), the next check comes after twice as many bytes (up to 16 times),
// so a thread that lives with a large heap pays for few of them. What is still held is read
// after a young collection that follows the full one: V8 frees dead ArrayBuffers' memory on a
// helper thread after a collection, and the next collection waits for that to end; read at
// once, every check found the garbage just collected "still held" and backed off.
//
// Memory moved in from another thread (the relay thread's reads, transferred) is not in
// `arrayBuffers`, which counts what this thread allocated; V8 accounts it to this thread's
// heap as external memory, and `movedIn` checks that instead. Dead transferred reads pile up
// on the relay's decoding thread even with the young collections: those leave some behind,
// which only a full collection frees, so there the check is what bounds them. `gc` is exposed for all this alone;
// where that fails, nothing is collected early.
import v8 from 'node:v8';
import vm from 'node:vm';

/** `gc()`: a full collection; `{ type: 'minor' }` the young generation only. ({ type: 'major' }
 * left about 15 MB more behind than `gc()` in the CAB worker.) */
type Gc = (o?: { type: 'minor' }) => void;

const gc: Gc | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as Gc;
  } catch {
    return undefined;
  }
})();

export interface EarlyGcOptions {
  /** A young-generation collection after this many bytes of garbage buffers. */
  minorEvery: number;
  /** A full collection after this many (threads that serve no socket only). */
  fullEvery?: number;
  /** Every `every` bytes, a full collection if this thread holds more than `above` bytes of
   * ArrayBuffers (the spacing doubles while the collection leaves that much held): those it
   * allocated (shared ones too), or with `movedIn` those in its heap, transferred in from
   * other threads or not (shared ones not). */
  fullWhenHeld?: { every: number; above: number; movedIn?: boolean };
}

/** For a thread that serves sockets (the listener): a young collection every 4 MB received, a
 * full one every 64 MB while over 32 MB of ArrayBuffers are held (a big body that died old). */
export const SOCKET_THREAD_GC: EarlyGcOptions = { minorEvery: 4 * 1024 * 1024, fullWhenHeld: { every: 64 * 1024 * 1024, above: 32 * 1024 * 1024 } };

/** Returns a counter for bytes of fresh buffers that are (or will soon be) garbage; it collects
 * on the calling thread as the options say. */
export function earlyGc(opts: EarlyGcOptions): (bytes: number) => void {
  let minor = 0;
  let full = 0;
  let check = 0;
  const held = opts.fullWhenHeld;
  let checkEvery = held?.every ?? Infinity;
  const collect = (kind: 'minor' | 'full'): void => {
    minor = 0;
    if (kind === 'minor') return void gc?.({ type: 'minor' });
    full = check = 0;
    gc?.();
  };
  return (bytes) => {
    minor += bytes;
    full += bytes;
    check += bytes;
    if (!gc) return;
    if (opts.fullEvery !== undefined && full >= opts.fullEvery) return collect('full');
    if (held && check >= checkEvery) {
      check = 0;
      const holds = (): number => (held.movedIn ? process.memoryUsage().external : process.memoryUsage().arrayBuffers);
      if (holds() > held.above) {
        collect('full');
        gc({ type: 'minor' }); // waits for the memory of the dead ArrayBuffers to be freed
        const live = holds() > held.above;
        checkEvery = live ? Math.min(2 * checkEvery, 16 * held.every) : held.every;
        return;
      }
    }
    if (minor >= opts.minorEvery) collect('minor');
  };
}
