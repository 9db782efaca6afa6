// Backpressure for the relay: a socket is paused while anything holds it — the other socket's
// full write buffer (until its `drain`) or a backed-up tap (until its promise settles) — and
// resumed when the last hold ends.
import type net from 'node:net';

/** Pauses a socket while anything holds it: the other socket's full write buffer (until its
 * `drain`) and a backed-up tap (until its promise settles); resumes when the last hold ends. */
export class Hold {
  private holds = 0;
  private waitingForDrain = false;

  constructor(private readonly socket: net.Socket) {}

  untilDrain(writer: net.Socket): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.take();
    writer.once('drain', () => {
      this.waitingForDrain = false;
      this.release();
    });
  }

  until(wait: Promise<void> | null | void): void {
    if (!(wait instanceof Promise)) return; // a tap written as `(c) => list.push(c)` returns a number
    this.take();
    void wait.then(() => this.release(), () => this.release());
  }

  private take(): void {
    if (this.holds++ === 0) this.socket.pause();
  }

  private release(): void {
    if (--this.holds === 0 && !this.socket.destroyed) this.socket.resume();
  }
}
