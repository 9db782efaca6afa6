// Turns the two byte streams of one connection into Exchanges: a framer per direction, a body
// assembler per message, and a FIFO that pairs each response with the oldest unanswered
// request (RFC 9112 §9.3.2: responses come in request order). Pure: callers pass timestamps.
// It does not decide anything about answering; the connection's responder does
// (pipeline/commands.ts).
import type {
  CaptureEvent, ConnectionInfo, Direction, Exchange, HttpMessage, MessageHead, Problem,
  RequestHead, ResponseHead,
} from '../../model.js';
import { createFramer } from './framer.js';
import type { Framer, FramerEvent, FramerMode } from './framer-api.js';
import { BodyAssembler, MAX_BODY_BYTES, SMALL_PIECE, type BodyKeep, type LargeBodyHashFactory, type PartialKeep } from './body-assembler.js';

export interface ExchangeBuilderOptions {
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  /** How much of this message's body to keep, when less than maxBodyBytes (a level-2 upload
   * that the pipeline spools to disk instead). */
  maxBodyBytesOf?(head: MessageHead): number | undefined;
  /** How much of a request body over WHOLE_BODY_BYTES is kept: whole (up to the limit), or
   * only its first so many bytes (`Body.headOnly`), judged from its first PART_KEPT_BYTES.
   * Without it, every body is kept whole. Responses always are. */
  bodyKeep?(head: RequestHead, first: Buffer): BodyKeep;
  /** How bodies over maxBodyBytes are hashed (default: on this thread). */
  largeBodyHash?: LargeBodyHashFactory;
  /** `live`: client bytes are requests, server bytes responses. `offline`: one stream of
   * unknown direction (a saved capture) whose messages are sniffed one by one. */
  layout: 'live' | 'offline';
  emit(event: CaptureEvent): void;
  /** A request head is complete (its body may still be on the way). `offset`: where the
   * head starts in the client stream. */
  onRequestHead?(exchange: Exchange, head: RequestHead, offset: number): void;
  /** Every piece of a message body, as it arrives (for streaming bodies to disk). */
  onBodyData?(exchange: Exchange, source: Direction, data: Buffer): void;
}

/**
 * Unanswered requests remembered for pairing. Real clients (and WER) wait for each answer, so
 * a deep queue only happens when no answers exist at all — e.g. offline decode of a client-only
 * capture (`nc -l > file`, `--raw`) — and then holding every request, body included, would grow
 * the heap with the whole file. Beyond this depth the oldest is given up as never answered.
 */
export const MAX_UNANSWERED = 64;
/** Problems held back per side for a message in progress; beyond, they are emitted at once. */
const MAX_DEFERRED = 256;

interface Current {
  exchange: Exchange;
  head: MessageHead;
  start: number;
  startTs: number;
  body: BodyAssembler;
}

export class ExchangeBuilder {
  private readonly framers: Record<Direction, Framer>;
  private readonly current: Partial<Record<Direction, Current>> = {};
  /** Exchanges whose final response has not arrived yet, oldest first. */
  private readonly pending: Exchange[] = [];
  private seq = 0;
  /** The exchange of the last head seen from each side (where a later problem belongs). */
  private readonly last: Partial<Record<Direction, Exchange>> = {};
  /** Problems about a message still arriving, per side: emitted right after that message's
   * event, so every output shows a problem after the request (or response) it is about. */
  private readonly deferred: Record<Direction, { problem: Problem; ts: number }[]> = { client: [], server: [] };

  constructor(readonly connection: ConnectionInfo, private readonly opts: ExchangeBuilderOptions) {
    const mode = (m: FramerMode): FramerMode => (opts.layout === 'offline' ? 'auto' : m);
    const maxHeaderBytes = opts.maxHeaderBytes;
    this.framers = {
      client: createFramer({ mode: mode('request'), source: 'client', maxHeaderBytes }),
      server: createFramer({ mode: mode('response'), source: 'server', maxHeaderBytes }),
    };
  }

  /** All exchanges seen so far that still wait for a response. */
  get unanswered(): readonly Exchange[] {
    return this.pending;
  }

  push(source: Direction, bytes: Buffer, ts: number): void {
    this.handle(source, this.framers[source].push(bytes), ts);
  }

  /** That direction ended (FIN or close). */
  end(source: Direction, ts: number): void {
    this.handle(source, this.framers[source].end(), ts);
    this.flushDeferred(source);
  }

  private flushDeferred(source: Direction): void {
    const list = this.deferred[source];
    if (!list.length) return;
    this.deferred[source] = [];
    for (const d of list) this.opts.emit({ type: 'problem', ts: d.ts, connection: this.connection, problem: d.problem });
  }

  private handle(source: Direction, events: FramerEvent[], ts: number): void {
    // Small body pieces in a row (one per chunk of a chunked body: a 64 KiB read of one-byte
    // chunks is ~10,000 of them) go on as one copy, so the assembler and every onBodyData
    // observer see one piece per read, not one per chunk. Larger pieces go on as they are.
    let run: Buffer[] = [];
    let runLength = 0;
    const flush = (): void => {
      if (run.length === 0) return;
      this.onBody(source, run.length === 1 ? run[0]! : Buffer.concat(run, runLength));
      run = [];
      runLength = 0;
    };
    for (const ev of events) {
      if (ev.type === 'body' && ev.data.length < SMALL_PIECE) {
        run.push(ev.data);
        runLength += ev.data.length;
        continue;
      }
      flush();
      switch (ev.type) {
        case 'head': this.onHead(source, ev.head, ev.offset, ts, ev.declaredLength); break;
        case 'body': this.onBody(source, ev.data); break;
        case 'end': this.onEnd(source, ev, ts); break;
        case 'problem': this.onProblem(ev.problem, ts); break;
        case 'raw':
          this.flushDeferred(source);
          this.opts.emit({ type: 'raw', ts, connection: this.connection, source, offset: ev.offset, bytes: ev.data });
          break;
      }
    }
    flush();
  }

  /** `declaredLength`: the framer's Content-Length decision (body-length.ts), made once. */
  private onHead(source: Direction, head: MessageHead, offset: number, ts: number, declaredLength: number | undefined): void {
    this.flushDeferred(source);
    let exchange: Exchange;
    if (head.kind === 'request') {
      exchange = { seq: ++this.seq, connection: this.connection, interim: [], problems: [] };
      this.pending.push(exchange);
      if (this.pending.length > MAX_UNANSWERED) this.pending.shift();
      // The response stream is framed by what was asked (HEAD, CONNECT). Offline, the one
      // (auto-mode) framer sees both and queues the method itself, in the same push.
      if (this.opts.layout === 'live') this.framers.server.expectResponseTo(head.method);
    } else {
      exchange = this.pending[0] ?? { seq: ++this.seq, connection: this.connection, interim: [], problems: [] };
    }
    this.last[source] = exchange;
    const body = new BodyAssembler(keepLimit(this.opts, head), declaredLength, this.opts.largeBodyHash, partialKeep(this.opts, head));
    this.current[source] = { exchange, head, start: offset, startTs: ts, body };
    if (head.kind === 'request') this.opts.onRequestHead?.(exchange, head, offset);
  }

  private onBody(source: Direction, data: Buffer): void {
    const cur = this.current[source];
    if (!cur) return;
    cur.body.add(data);
    this.opts.onBodyData?.(cur.exchange, source, data);
  }

  private onEnd(source: Direction, ev: Extract<FramerEvent, { type: 'end' }>, ts: number): void {
    const cur = this.current[source];
    if (!cur) return;
    this.current[source] = undefined;
    const message: HttpMessage = {
      head: cur.head,
      body: cur.body.finish(ev.framing, ev.trailers, ev.complete),
      start: cur.start,
      end: ev.offset,
      startTs: cur.startTs,
      endTs: ts,
    };
    const ex = cur.exchange;
    if (cur.head.kind === 'request') {
      ex.request = message as HttpMessage<RequestHead>;
      this.opts.emit({ type: 'request', ts, connection: this.connection, exchange: ex });
      this.flushDeferred(source);
      this.trimUnanswered();
      return;
    }
    const response = message as HttpMessage<ResponseHead>;
    if (response.head.status >= 100 && response.head.status < 200 && response.head.status !== 101) {
      ex.interim.push(response);
      this.opts.emit({ type: 'interim', ts, connection: this.connection, exchange: ex, response });
      this.flushDeferred(source);
      return;
    }
    ex.response = response;
    const i = this.pending.indexOf(ex);
    if (i >= 0) this.pending.splice(i, 1);
    this.opts.emit({ type: 'response', ts, connection: this.connection, exchange: ex });
    this.flushDeferred(source);
  }

  /**
   * Unanswered requests are kept for pairing, each with its body when it was small enough to
   * keep. Without a bound, 64 pipelined unanswered uploads just under --max-body-bytes would
   * hold 64 of them. Every sink has seen each of these requests whole already (the `request`
   * event), so beyond one --max-body-bytes in total, older ones keep only what a body over the
   * limit keeps: length, sha256 and the first bytes.
   */
  private trimUnanswered(): void {
    const budget = this.opts.maxBodyBytes ?? MAX_BODY_BYTES;
    let kept = 0;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const body = this.pending[i]!.request?.body;
      if (!body?.data) continue;
      kept += body.data.length;
      if (kept <= budget || i === this.pending.length - 1) continue;
      body.head = Buffer.from(body.head); // a view into data would keep all of it alive
      body.data = undefined;
    }
  }

  private onProblem(problem: Problem, ts: number): void {
    // Between messages, a bad response belongs to the oldest unanswered request (the one it
    // was answering), not to a later pipelined one; a bad request to the last one seen.
    const src = problem.source;
    const answering = src === 'server' && this.opts.layout === 'live' ? this.pending[0] : undefined;
    const target = this.current[src]?.exchange ?? answering ?? this.last[src] ?? this.last.client ?? this.last.server;
    target?.problems.push(problem);
    // About a message whose event has not come yet: after that event (see `deferred`).
    if (this.current[src] && target === this.current[src]!.exchange && this.deferred[src].length < MAX_DEFERRED) this.deferred[src].push({ problem, ts });
    else this.opts.emit({ type: 'problem', ts, connection: this.connection, problem });
  }
}

function keepLimit(opts: ExchangeBuilderOptions, head: MessageHead): number {
  const max = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  return Math.min(max, opts.maxBodyBytesOf?.(head) ?? max);
}

function partialKeep(opts: ExchangeBuilderOptions, head: MessageHead): PartialKeep | undefined {
  const judge = opts.bodyKeep;
  if (!judge || head.kind !== 'request') return undefined;
  return (first) => judge(head, first);
}

/** The Content-Length a head declares, when it decides the body length (RFC 9112 §6.3). */
