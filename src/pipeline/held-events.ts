// One connection's events on their way to the sinks, in wire order. An event may wait: a
// level-2 upload's event until its CAB summary is back from the worker (workers/cab-offload.ts),
// a request's event until the I/O layer has sent the answer the pipeline gave for it; and so
// does everything after it on that connection, while other connections go on. Held events
// keep their order: each is delivered once every one before it was. The events framed from an
// answer's bytes (its response, a 100 Continue's interim) go right after what waited for it,
// even when later events of the connection are already waiting.
import type { CaptureEvent } from '../model.js';

/** An event waiting its turn; without `ev`, the place kept for what an answer's bytes frame
 * (a 100 Continue, sent while its request is still arriving). */
export interface Held {
  ev?: CaptureEvent;
  /** What it still waits for: its CAB summary, its answer being sent. */
  waits: number;
  /** Events framed from its answer, delivered right after it. */
  after?: CaptureEvent[];
  /** It waited for a CAB summary: its answer's events come after its body's problems. */
  cab: boolean;
}

/** Takes each event in order, with the events framed from its answer (see Held). */
export type Deliver = (ev: CaptureEvent | undefined, after: CaptureEvent[] | undefined, cab: boolean) => void;

export class HeldEvents {
  /** Events waiting, oldest first; undefined when none (the usual case: no allocation). */
  private held?: Held[];
  /** While an answer's bytes are framed (fill), the entry its events belong after. */
  private into?: Held;

  constructor(private readonly deliver: Deliver) {}

  /** An event to the sinks now, after the ones still waiting, or (during fill) after the
   * entry being filled. */
  out(ev: CaptureEvent): void {
    if (this.into) (this.into.after ??= []).push(ev);
    else if (this.held) this.held.push({ ev, waits: 0, cab: false });
    else this.deliver(ev, undefined, false);
  }

  /** `ev` (or, without one, its place) waits until done() was called `waits` times; `cab`
   * when one of them is its CAB summary. */
  wait(ev: CaptureEvent | undefined, waits: number, cab: boolean): Held {
    const h: Held = { ev, waits, cab };
    (this.held ??= []).push(h);
    return h;
  }

  /** Runs `frame` with every event it gives out() going right after `h`. */
  fill(h: Held, frame: () => void): void {
    const outer = this.into;
    this.into = h;
    try {
      frame();
    } finally {
      this.into = outer;
    }
  }

  /** One thing `h` waited for is over: delivers it, and what follows, when its turn came. */
  done(h: Held): void {
    if (--h.waits === 0) this.release();
  }

  /** Delivers waiting events up to the next one still waiting. A delivery that throws (a sink's
   * bug) does not stop the ones after it; the first failure is rethrown once all were made. */
  private release(): void {
    const held = this.held;
    if (!held) return;
    let failure: { err: unknown } | undefined;
    while (held.length > 0 && held[0]!.waits === 0) {
      const h = held.shift()!;
      try {
        this.deliver(h.ev, h.after, h.cab);
      } catch (err) {
        failure ??= { err };
      }
    }
    if (held.length === 0 && this.held === held) this.held = undefined;
    if (failure) throw failure.err;
  }
}
