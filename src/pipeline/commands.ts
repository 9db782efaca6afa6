// Sans-I/O answers: the pipeline decides what to send, the socket layer sends it. Bytes go in
// (ConnectionRecorder.push), commands come out; the I/O layer carries each one out, records
// what it wrote as the server's bytes, and reports back (sent / unsent), and only then are
// the answer's bytes framed, outside any of the pipeline's callbacks. So the pipeline, the
// conversation tracker and the emulated server run, and are tested, without a socket.
import type { Exchange, Problem, RequestHead } from '../model.js';
import type { Held } from './held-events.js';

/** Write `bytes` to the client; with `close`, then end our side of the connection. */
export interface SendCommand {
  kind: 'send';
  bytes: Buffer;
  close: boolean;
}

export type Command = SendCommand;

/** Who answers a connection's requests (domain/server/cer-server.ts is one). */
export interface Responder {
  /** A request head is complete: an interim answer (100 Continue) and a problem, if any. */
  onRequestHead(exchange: Exchange, head: RequestHead): { reply?: Buffer; problem?: Omit<Problem, 'offset'> };
  /** A request is complete: its final answer, or none. */
  onRequest(exchange: Exchange): { bytes: Buffer; close: boolean } | undefined;
}

/** Given when there is nothing to do (no allocation per chunk). */
export const NO_COMMANDS: readonly Command[] = Object.freeze([]);

/** One connection's commands: those given since the I/O layer last took them, and those it
 * has not yet reported back, each with what waits for it. */
export class Outbox {
  private fresh?: Command[];
  private readonly pending: { cmd: Command; held: Held }[] = [];
  /** An answer that closes the connection was given: nothing after it is answered. */
  closing = false;

  add(bytes: Buffer, close: boolean, held: Held): void {
    const cmd: SendCommand = { kind: 'send', bytes, close };
    if (close) this.closing = true;
    (this.fresh ??= []).push(cmd);
    this.pending.push({ cmd, held });
  }

  /** The commands given since the last take, in the order they must be carried out. */
  take(): readonly Command[] {
    const fresh = this.fresh;
    this.fresh = undefined;
    return fresh ?? NO_COMMANDS;
  }

  /** What waited for `cmd`, which the I/O layer reports back; it is no longer pending. */
  settle(cmd: Command): Held {
    // In order, as the I/O layer carries them out: the oldest, as a rule.
    if (this.pending[0]?.cmd === cmd) return this.pending.shift()!.held;
    const i = this.pending.findIndex((p) => p.cmd === cmd);
    if (i < 0) throw new Error('a command reported back that this connection did not give, or reported twice');
    return this.pending.splice(i, 1)[0]!.held;
  }

  /** Every command still pending, forgotten (the connection is gone): what waited for them. */
  abandon(): Held[] {
    this.fresh = undefined;
    return this.pending.splice(0).map((p) => p.held);
  }
}
