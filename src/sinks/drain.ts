// Waiting for a writable to drain, shared by every sink's waitDrain(). It is asked after every
// tapped chunk (with the relay thread, for every chunk of a batch), so one wait per stream is
// made and handed to every caller until the stream drains: a listener pair per call piled up
// hundreds of listeners (MaxListenersExceededWarning) on a backed-up terminal or pipe.
// A stream that fails or closes while full never drains: that ends the wait too (the failure
// itself is reported where the sink writes).
import type { Writable } from 'node:stream';

const waits = new WeakMap<Writable, Promise<void>>();

/** Null when `out` takes more now; else a promise that settles once it drains (or fails). */
export function drainOf(out: Writable): Promise<void> | null {
  if (!out.writableNeedDrain) return null;
  let wait = waits.get(out);
  if (!wait) {
    wait = new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done).off('error', done).off('close', done);
        waits.delete(out);
        resolve();
      };
      out.once('drain', done).once('error', done).once('close', done);
    });
    waits.set(out, wait);
  }
  return wait;
}
