// One connection's events on their way to the sinks, in wire order. A level-2 upload's event
// waits until its CAB summary is back from the worker (workers/cab-offload.ts), and so does
// everything after it on that connection; other connections go on meanwhile. Held events keep
// their order: each is delivered once every one before it was.
import type { CaptureEvent } from '../model.js';

/** An event waiting its turn: `done` once what it waits for is back; `answered` when the
 * connection's afterEmit already saw it (the upload is answered before its summary). */
interface Held { ev: CaptureEvent; done: boolean; answered: boolean }

export class HeldEvents {
  /** Events waiting, oldest first; undefined when none (the usual case: no allocation). */
  private held?: Held[];

  /** `deliver` takes each event in order; `answered` as given to hold(). */
  constructor(private readonly deliver: (ev: CaptureEvent, answered: boolean) => void) {}

  /** An event to the sinks now, or after the ones still waiting. */
  out(ev: CaptureEvent): void {
    if (this.held) this.held.push({ ev, done: true, answered: false });
    else this.deliver(ev, false);
  }

  /** `ev` (already answered) waits for `job`, and so does what follows it. Resolves once it
   * was delivered, or found its turn not yet come (an earlier one still waits). */
  hold(ev: CaptureEvent, job: Promise<unknown>): Promise<void> {
    const h: Held = { ev, done: false, answered: true };
    (this.held ??= []).push(h);
    return job.then(() => {
      h.done = true;
      this.release();
    });
  }

  /** Delivers waiting events up to the next one whose job is not back yet. */
  private release(): void {
    const held = this.held!;
    while (held.length > 0 && held[0]!.done) {
      const h = held.shift()!;
      this.deliver(h.ev, h.answered);
    }
    if (held.length === 0) this.held = undefined;
  }
}
