// One connection through the Recorder: its bytes go to the exact-bytes sinks and into its
// ExchangeBuilder; each framed event passes the conversation tracker, the connection's hooks
// and its responder (the emulated server, whose answers push() returns as commands for the
// I/O layer: commands.ts), waits behind a CAB summary or an answer not yet sent
// (held-events.ts), and is delivered through the Recorder (checks, then sinks), followed by
// the problems found in its body.
import type { CaptureEvent, ConnectionInfo, Direction, Exchange, RequestHead } from '../model.js';
import { ExchangeBuilder } from './http/exchange-builder.js';
import { decodedOf } from '../domain/body/message.js';
import { requestBodyKeep } from '../domain/body/keep-whole.js';
import { bodyProblems } from '../domain/body/body-problems.js';
import { backgroundHash, offloadedHash } from './workers/hash-offload.js';
import { HeldEvents, type Held } from './held-events.js';
import { NO_COMMANDS, Outbox, type Command, type Responder } from './commands.js';
import { ConnectionWire } from './wire-window.js';
import { KeptDecodings } from './kept-decodings.js';
import type { Recorder, RecorderOptions } from './recorder.js';

/** Bytes of each direction held (by reference) to give a chunked message its exact `wire`
 * bytes: a level-1 report is a few KiB. A larger chunked message has none (its head and
 * de-chunked body are kept as always); held per connection, so kept small. */
export const WIRE_LIMIT = 256 * 1024;

export interface ConnectionHooks {
  layout?: 'live' | 'offline';
  /** Answers the client's requests: push() and end() return its answers as commands, which
   * the I/O layer carries out and reports back (sent/unsent). A request's event waits until
   * its answer was sent, so no output or check can delay or prevent an answer. */
  responder?: Responder;
  /** Sees each event before the sinks do. */
  beforeEmit?(event: CaptureEvent): void;
  /** Sees each event after the sinks did, even if one of them threw. */
  afterEmit?(event: CaptureEvent): void;
  onRequestHead?(exchange: Exchange, head: RequestHead, offset: number): void;
  onBodyData?(exchange: Exchange, source: Direction, data: Buffer): void;
}

export class ConnectionRecorder {
  readonly builder: ExchangeBuilder;
  /** The latest bytes of each direction, for chunked messages' exact wire bytes. */
  private readonly wire: ConnectionWire;
  private closed = false;
  private readonly ended = new Set<Direction>();

  constructor(
    private readonly recorder: Recorder,
    readonly connection: ConnectionInfo,
    private readonly hooks: ConnectionHooks,
    private readonly opts: RecorderOptions,
    private readonly now: () => number,
  ) {
    this.wire = new ConnectionWire(WIRE_LIMIT, hooks.layout === 'offline');
    const observers = opts.observers ?? [];
    this.builder = new ExchangeBuilder(connection, {
      layout: hooks.layout ?? 'live',
      maxHeaderBytes: opts.maxHeaderBytes,
      maxBodyBytes: opts.maxBodyBytes,
      bodyKeep: opts.wholeBodies ? undefined : requestBodyKeep,
      // A large body is hashed on a helper thread. Where sockets are served nothing waits for
      // it: a sender that outruns it is paused, the message's event waits for its digest.
      largeBodyHash: opts.socketThread ? () => backgroundHash((drained) => recorder.holdConnection(connection.id, drained)) : offloadedHash,
      emit: (ev) => {
        if (ev.type === 'request') this.wire.keep('request', ev.exchange.request);
        else if (ev.type === 'response') this.wire.keep('response', ev.exchange.response);
        recorder.conversations.onEvent(ev);
        hooks.beforeEmit?.(ev);
        const answer = ev.type === 'request' ? this.answerOf(ev.exchange) : undefined;
        const job = ev.type === 'request' ? opts.cabs?.start(ev.exchange) : undefined;
        const msg = ev.type === 'request' ? ev.exchange.request : ev.type === 'response' ? ev.exchange.response : undefined;
        const digest = msg?.body.sha256Later;
        const later = job && digest ? Promise.all([job, digest]) : (job ?? digest);
        if (!later && !answer) return this.out(ev);
        // The upload is answered at once (its answer depends neither on its contents nor on
        // its hash); the sinks see it, and what follows on this connection, once its answer
        // was sent and its summary and sha256 are back.
        const held = this.events.wait(ev, (later ? 1 : 0) + (answer ? 1 : 0), Boolean(job));
        if (answer) this.outbox.add(answer.bytes, answer.close, held);
        if (later) recorder.wait(later.then(() => this.events.done(held)));
      },
      // A level-2 upload is spooled for its CAB job as it arrives (workers/cab-offload.ts).
      maxBodyBytesOf: opts.cabs ? (head) => opts.cabs!.keepLimit(head) : undefined,
      onRequestHead: (ex, head, offset) => {
        recorder.conversations.onRequestHead(ex, head);
        opts.cabs?.requestHead(ex, head);
        if (hooks.responder) this.answerHead(ex, head, offset);
        hooks.onRequestHead?.(ex, head, offset);
        for (const o of observers) o.onRequestHead?.(ex, head);
      },
      onBodyData: (ex, source, data) => {
        opts.cabs?.bodyData(ex, source, data);
        hooks.onBodyData?.(ex, source, data);
        for (const o of observers) o.onBodyData?.(ex, source, data);
      },
    });
    recorder.emit({ type: 'open', ts: connection.openedAt, connection });
  }


  /** This connection's events in order, waiting behind a CAB summary or an unsent answer. */
  private readonly events = new HeldEvents((ev, after, cab) => this.deliver(ev, after, cab));

  /** The responder's answers not yet carried out by the I/O layer. */
  private readonly outbox = new Outbox();

  /** An event to the sinks now, or after the ones still waiting. */
  private out(ev: CaptureEvent): void {
    this.events.out(ev);
  }

  /** `ev` to the sinks, then `after` (the events framed from its answer): before its body's
   * problems, or after them when it waited for its CAB summary. */
  private deliver(ev: CaptureEvent | undefined, after: CaptureEvent[] | undefined, cab: boolean): void {
    if (!ev) return this.deliverAll(after);
    // The answer's events follow even when a sink failed.
    try {
      this.recorder.emit(ev);
    } finally {
      this.hooks.afterEmit?.(ev);
      if (!cab) this.deliverAll(after);
    }
    if ((ev.type === 'request' || ev.type === 'response') && this.opts.checkBodies !== false) this.checkBody(ev.type, ev.exchange, ev.ts);
    if (ev.type === 'request' || ev.type === 'response') this.decodings.settle(ev.type, ev.exchange);
    if (cab) this.deliverAll(after);
  }

  private deliverAll(events: CaptureEvent[] | undefined): void {
    if (events) for (const e of events) this.deliver(e, undefined, false);
  }

  /** The responder's interim answer and problem for a request head. */
  private answerHead(ex: Exchange, head: RequestHead, offset: number): void {
    const { reply, problem } = this.hooks.responder!.onRequestHead(ex, head);
    if (problem) {
      // Where the request line with the offending target starts (the chunk that completed
      // the head may hold more bytes, so the byte count so far would point past it).
      const p = { ...problem, offset };
      ex.problems.push(p);
      this.out({ type: 'problem', ts: this.now(), connection: this.connection, problem: p });
    }
    // What its bytes frame (the interim response) keeps this place among the events.
    if (reply && !this.outbox.closing && !this.closed) this.outbox.add(reply, false, this.events.wait(undefined, 1, false));
  }

  /** The responder's final answer to a complete request; none once closing or closed. */
  private answerOf(ex: Exchange): { bytes: Buffer; close: boolean } | undefined {
    const r = this.hooks.responder;
    if (!r || this.outbox.closing || this.closed) return undefined;
    return r.onRequest(ex);
  }

  /** The I/O layer wrote `cmd`'s bytes to the client (recorded first: record()). They are
   * framed now, as the server's side, and the request they answer goes to the sinks with
   * them. Ending our side after a closing answer is the I/O layer's (end('server')). */
  sent(cmd: Command, ts = this.now()): void {
    const held = this.outbox.settle(cmd);
    this.events.fill(held, () => this.decode('server', cmd.bytes, ts));
    this.release(held, ts);
  }

  /** `cmd` could not be sent (the client is gone): what waited for it goes on without it. */
  unsent(cmd: Command, ts = this.now()): void {
    this.release(this.outbox.settle(cmd), ts);
  }

  /** A sink that throws while a released event is delivered counts as a decoding failure, as
   * it does when it throws inside push(). */
  private release(held: Held, ts: number): void {
    try {
      this.events.done(held);
    } catch (err) {
      this.fail('client', err, ts);
    }
  }

  /** How long this connection's decodings stay on their messages (kept-decodings.ts). */
  private readonly decodings = new KeptDecodings();

  /** Bytes from one side, exactly as read or written. If decoding ever throws (a bug, not
   * bad traffic: bad traffic is a Problem), the bytes are still recorded, the failure is shown
   * as a `decoder-error` problem, and from then on this connection is recorded but not
   * decoded — the capture itself never stops. Returns what the responder wants sent (see
   * ConnectionHooks.responder): each must be reported back, in order, with sent() or unsent(). */
  push(source: Direction, bytes: Buffer, ts = this.now()): readonly Command[] {
    this.record(source, bytes, ts);
    this.decode(source, bytes, ts);
    return this.outbox.take();
  }

  /** push(), first half: the bytes go to the sinks that want exact bytes (pcap, raw), and are
   * counted. The listener records an answer this way before writing it to the client. */
  record(source: Direction, bytes: Buffer, ts = this.now()): void {
    if (bytes.length === 0) return;
    if (source === 'client') this.connection.bytesFromClient += bytes.length;
    else this.connection.bytesFromServer += bytes.length;
    this.recorder.chunkToSinks({ connId: this.connection.id, source, ts, bytes }, this.connection);
  }

  /** push(), second half: the same bytes, once recorded, into the decoder. */
  private decode(source: Direction, bytes: Buffer, ts = this.now()): void {
    if (bytes.length === 0 || this.broken) return;
    this.wire.push(source, bytes);
    try {
      this.builder.push(source, bytes, ts);
    } catch (err) {
      this.fail(source, err, ts);
    }
  }

  private fail(source: Direction, err: unknown, ts: number): void {
    this.broken = true;
    this.out({
      type: 'problem', ts, connection: this.connection,
      problem: { code: 'decoder-error', source, offset: 0, message: `decoding stopped for this connection (${(err as Error).message}); its bytes are still recorded` },
    });
  }

  /** What is wrong inside the body just completed (bad XML, control characters, a damaged
   * CAB, …) follows its request/response event as problems. The decoding is the one the sinks
   * just made (decodedOf remembers it), so this costs a look, not a second decode. */
  private checkBody(type: 'request' | 'response', ex: Exchange, ts: number): void {
    const msg = type === 'request' ? ex.request : ex.response;
    if (!msg || msg.body.length === 0) return;
    const found = bodyProblems(decodedOf(msg, type === 'response' ? ex.request : undefined), msg.body);
    const source: Direction = this.hooks.layout === 'offline' || type === 'request' ? 'client' : 'server';
    for (const p of found) {
      const problem = { code: p.code, source, offset: msg.start + msg.head.raw.length, message: p.message };
      ex.problems.push(problem);
      this.recorder.emit({ type: 'problem', ts, connection: this.connection, problem });
    }
  }

  /** True once decoding failed on this connection (see push). */
  broken = false;

  /** One side finished sending (FIN): sinks that show TCP are told, the framer flushes.
   * Returns what the responder wants sent for a request this completed, as push() does. */
  end(source: Direction, ts = this.now()): readonly Command[] {
    if (this.shut.has(source) || this.closed) return NO_COMMANDS;
    this.shut.add(source);
    this.recorder.shutdownToSinks(this.connection, source, 'fin', ts);
    this.endDecoding(source, ts);
    return this.outbox.take();
  }

  /** One side reset the connection (RST). Closing follows with close(). */
  reset(source: Direction, ts = this.now()): void {
    if (this.shut.has(source) || this.closed) return;
    this.shut.add(source);
    this.recorder.shutdownToSinks(this.connection, source, 'reset', ts);
  }

  private readonly shut = new Set<Direction>();

  private endDecoding(source: Direction, ts: number): void {
    if (this.ended.has(source)) return;
    this.ended.add(source);
    if (this.broken) return;
    this.builder.end(source, ts);
  }

  /** The connection is gone: what it still had to say is framed, answers not reported back
   * are forgotten (nothing waits for them any more), and the `close` event ends it. */
  close(reason?: string, ts = this.now()): void {
    if (this.closed) return;
    this.closed = true;
    for (const held of this.outbox.abandon()) this.release(held, ts);
    this.endDecoding('client', ts);
    this.endDecoding('server', ts);
    this.connection.closedAt = ts;
    this.out({ type: 'close', ts, connection: this.connection, reason });
  }
}
