// The one place captured bytes flow through, live or offline: every chunk goes first to the
// sinks that want exact bytes (raw, capture file, pcap), then to the connection's
// ExchangeBuilder, whose events go to every sink. Listener, relay and `decode` all use it, so
// each output behaves the same in all three.
import type { BodyObserver, CaptureEvent, Chunk, ConnectionInfo, Direction, Exchange, HttpMessage, RequestHead, Sink } from '../model.js';
import { ExchangeBuilder } from './http/exchange-builder.js';
import { decodedOf, type MessageDecoding } from '../domain/body/message.js';
import { bodyProblems } from '../domain/body/body-problems.js';
import type { CabJobs } from './workers/cab-offload.js';
import { offloadedHash } from './workers/hash-offload.js';
import { ConversationTracker } from './conversation.js';
import { WireWindow } from './wire-window.js';

/** Bytes of each direction held (by reference) to give a chunked message its exact `wire`
 * bytes: a level-1 report is a few KiB. A larger chunked message has none (its head and
 * de-chunked body are kept as always); held per connection, so kept small. */
export const WIRE_LIMIT = 256 * 1024;

export interface RecorderOptions {
  sinks: Sink[];
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  now?: () => number;
  /** Inspect each completed body for hostile or damaged content (problems after its event).
   * Off when nothing shows decoded traffic (`--raw`, `-o`/`-w` alone): it would decode every
   * body, CABs included, for problems no output displays. Default on. */
  checkBodies?: boolean;
  /** Level-2 CABs are summarised by these jobs, off the thread that serves sockets: the
   * connection's events wait (in order) until its CAB's summary is back, other connections go
   * on. Without it, a CAB is decoded when an output first asks, on this thread. */
  cabs?: CabJobs;
  /** Told about request heads and body bytes as they arrive, in every mode (the --save-dir
   * writer streams uploads to disk, the progress line counts bytes). */
  observers?: BodyObserver[];
}

export interface ConnectionHooks {
  layout?: 'live' | 'offline';
  /** Sees each event before the sinks do (the listener assigns report ids and answers
   * requests here, so no output or check can delay or prevent an answer). */
  beforeEmit?(event: CaptureEvent): void;
  /** Sees each event after the sinks did, even if one of them threw (the listener records
   * the answer it sent here, so outputs show it after its request). */
  afterEmit?(event: CaptureEvent): void;
  onRequestHead?(exchange: Exchange, head: RequestHead, offset: number): void;
  onBodyData?(exchange: Exchange, source: Direction, data: Buffer): void;
}

export interface Totals {
  connections: number;
  requests: number;
  responses: number;
  problems: number;
  bytesFromClient: number;
  bytesFromServer: number;
  /** Connections turned away at the door (access list, --max-conns, TLS handshake). */
  refused: number;
}

export class Recorder {
  readonly totals: Totals = { connections: 0, requests: 0, responses: 0, problems: 0, bytesFromClient: 0, bytesFromServer: 0, refused: 0 };
  private readonly now: () => number;
  /** Links each level-1 report with its answer and upload, for every connection of this run. */
  readonly conversations: ConversationTracker;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
    this.conversations = new ConversationTracker({ sniffBodies: opts.checkBodies !== false });
  }

  emit(event: CaptureEvent): void {
    if (event.type === 'request') this.totals.requests++;
    else if (event.type === 'response') this.totals.responses++;
    else if (event.type === 'problem') this.totals.problems++;
    else if (event.type === 'refused') this.totals.refused++;
    // Every sink gets the event even if one before it throws (a bug in a check must not cost
    // the report its --save-dir folder); the first failure is rethrown once all had it.
    let failure: { err: unknown } | undefined;
    for (const s of this.opts.sinks) {
      try {
        s.event?.(event);
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure) throw failure.err;
  }

  open(connection: ConnectionInfo, hooks: ConnectionHooks = {}): ConnectionRecorder {
    this.totals.connections++;
    return new ConnectionRecorder(this, connection, hooks, this.opts, this.now);
  }

  chunkToSinks(chunk: Chunk, connection: ConnectionInfo): void {
    if (chunk.source === 'client') this.totals.bytesFromClient += chunk.bytes.length;
    else this.totals.bytesFromServer += chunk.bytes.length;
    for (const s of this.opts.sinks) s.chunk?.(chunk, connection);
  }

  shutdownToSinks(connection: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void {
    for (const s of this.opts.sinks) s.shutdown?.(connection, source, how, ts);
  }

  /** Resolves when every sink that buffers is below its high-water mark again, or null when
   * none is backed up. Callers pause their sockets until then; `connId` (the connection just
   * read, when only its socket is paused) lets a sink hold back that connection alone. */
  backpressure(connId?: number): Promise<void> | null {
    return drained(this.opts.sinks, connId);
  }

  /** Connections whose events wait for a CAB summary; close() lets them finish first. */
  private readonly waiting = new Set<Promise<void>>();

  wait(p: Promise<void>): void {
    const q = p.finally(() => this.waiting.delete(q));
    this.waiting.add(q);
  }

  async close(): Promise<void> {
    while (this.waiting.size) await Promise.all(this.waiting);
    for (const s of this.opts.sinks) await s.close();
  }
}

export class ConnectionRecorder {
  readonly builder: ExchangeBuilder;
  private closed = false;
  private readonly ended = new Set<Direction>();

  constructor(
    private readonly recorder: Recorder,
    readonly connection: ConnectionInfo,
    private readonly hooks: ConnectionHooks,
    private readonly opts: RecorderOptions,
    private readonly now: () => number,
  ) {
    const observers = opts.observers ?? [];
    this.builder = new ExchangeBuilder(connection, {
      layout: hooks.layout ?? 'live',
      maxHeaderBytes: opts.maxHeaderBytes,
      maxBodyBytes: opts.maxBodyBytes,
      largeBodyHash: offloadedHash,
      emit: (ev) => {
        if (ev.type === 'request' || ev.type === 'response') this.keepWire(ev.type, ev.exchange);
        recorder.conversations.onEvent(ev);
        hooks.beforeEmit?.(ev);
        const job = ev.type === 'request' ? opts.cabs?.start(ev.exchange) : undefined;
        if (!job) return this.out(ev);
        // The upload is answered at once (its answer does not depend on its contents); the
        // sinks see it, and what follows on this connection, once its summary is back.
        const held: Held = { ev, done: false, answered: true };
        (this.held ??= []).push(held);
        hooks.afterEmit?.(ev);
        recorder.wait(job.then(() => {
          held.done = true;
          this.release();
        }));
      },
      // A level-2 upload is spooled for its CAB job as it arrives (workers/cab-offload.ts).
      maxBodyBytesOf: opts.cabs ? (head) => opts.cabs!.keepLimit(head) : undefined,
      onRequestHead: (ex, head, offset) => {
        recorder.conversations.onRequestHead(ex, head);
        opts.cabs?.requestHead(ex, head);
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

  /** Per direction fed to the framer (one, `client`, offline), its latest bytes. */
  private readonly windows = { client: new WireWindow(WIRE_LIMIT), server: new WireWindow(WIRE_LIMIT) };

  /** The window a message's offsets count in: offline, one stream holds both directions. */
  private windowOf(type: 'request' | 'response'): WireWindow {
    return this.hooks.layout === 'offline' || type === 'request' ? this.windows.client : this.windows.server;
  }

  /** A chunked message gets its exact wire bytes; the window forgets what is before its end. */
  private keepWire(type: 'request' | 'response', ex: Exchange): void {
    const msg = type === 'request' ? ex.request : ex.response;
    if (!msg) return;
    const w = this.windowOf(type);
    if (msg.body.framing === 'chunked') {
      const wire = w.slice(msg.start, msg.end);
      if (wire) msg.wire = wire;
    }
    w.drop(msg.end);
  }

  /** Events waiting for a CAB summary (the first one's), in order; undefined when none. */
  private held?: Held[];

  /** An event to the sinks now, or after the ones still waiting for a CAB summary. */
  private out(ev: CaptureEvent): void {
    if (this.held) this.held.push({ ev, done: true, answered: false });
    else this.deliver(ev, false);
  }

  private deliver(ev: CaptureEvent, answered: boolean): void {
    // afterEmit runs even when a sink failed: the listener records its answer there.
    try {
      this.recorder.emit(ev);
    } finally {
      if (!answered) this.hooks.afterEmit?.(ev);
    }
    if ((ev.type === 'request' || ev.type === 'response') && this.opts.checkBodies !== false) this.checkBody(ev.type, ev.exchange, ev.ts);
    if (ev.type === 'request' || ev.type === 'response') this.settle(ev.type, ev.exchange);
  }

  /** Messages of this connection whose decoding is still kept for the exchange's next event. */
  private decodedKept: HttpMessage[] = [];

  /**
   * A decoding (a report's text, XML tree and fields: ~15 KB) is kept on its message while its
   * exchange is in flight: from the request's event to its response's, whose outputs read the
   * request's decoding again (HAR, the filter, the one-line view). Once the connection moved on
   * (the next event), it is let go: an exchange the builder keeps waiting for an answer that
   * never comes (a client-only capture keeps 64) would otherwise hold it long enough to be
   * promoted, and the collector pays for every report. Asked for again, it is decoded again,
   * to the same result. A CAB's decoding is kept: it holds the worker's summary.
   */
  private settle(type: 'request' | 'response', ex: Exchange): void {
    const keep = type === 'response' ? ex.request : undefined;
    for (const m of this.decodedKept) if (m !== keep && !(m.decoded as MessageDecoding | undefined)?.cab) m.decoded = undefined;
    this.decodedKept = [];
    if (keep) this.decodedKept.push(keep);
    const msg = type === 'request' ? ex.request : ex.response;
    if (msg) this.decodedKept.push(msg);
  }

  /** Delivers waiting events up to the next CAB whose summary is not back yet. */
  private release(): void {
    const held = this.held!;
    while (held.length > 0 && held[0]!.done) {
      const h = held.shift()!;
      this.deliver(h.ev, h.answered);
    }
    if (held.length === 0) this.held = undefined;
  }

  /** Bytes from one side, exactly as read or written. If decoding ever throws (a bug, not
   * bad traffic: bad traffic is a Problem), the bytes are still recorded, the failure is shown
   * as a `decoder-error` problem, and from then on this connection is recorded but not
   * decoded — the capture itself never stops. */
  push(source: Direction, bytes: Buffer, ts = this.now()): void {
    this.record(source, bytes, ts);
    this.decode(source, bytes, ts);
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
  decode(source: Direction, bytes: Buffer, ts = this.now()): void {
    if (bytes.length === 0 || this.broken) return;
    this.windows[this.hooks.layout === 'offline' ? 'client' : source].push(bytes);
    try {
      this.builder.push(source, bytes, ts);
    } catch (err) {
      this.broken = true;
      this.out({
        type: 'problem', ts, connection: this.connection,
        problem: { code: 'decoder-error', source, offset: 0, message: `decoding stopped for this connection (${(err as Error).message}); its bytes are still recorded` },
      });
    }
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

  /** One side finished sending (FIN): sinks that show TCP are told, the framer flushes. */
  end(source: Direction, ts = this.now()): void {
    if (this.shut.has(source) || this.closed) return;
    this.shut.add(source);
    this.recorder.shutdownToSinks(this.connection, source, 'fin', ts);
    this.endDecoding(source, ts);
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

  close(reason?: string, ts = this.now()): void {
    if (this.closed) return;
    this.closed = true;
    this.endDecoding('client', ts);
    this.endDecoding('server', ts);
    this.connection.closedAt = ts;
    this.out({ type: 'close', ts, connection: this.connection, reason });
  }
}

/** An event waiting for a CAB summary: `answered` when afterEmit already saw it. */
interface Held { ev: CaptureEvent; done: boolean; answered: boolean }

/** Resolves when every one of `sinks` that is backed up has drained; null when none is.
 * Called per relayed chunk: no allocation unless a sink is backed up. */
export function drained(sinks: readonly Sink[], connId?: number): Promise<void> | null {
  let waits: Promise<void>[] | undefined;
  for (const s of sinks) {
    const wait = s.waitDrain?.(connId);
    if (wait) (waits ??= []).push(wait);
  }
  return waits ? Promise.all(waits).then(() => undefined) : null;
}
