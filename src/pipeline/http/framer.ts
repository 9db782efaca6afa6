// The incremental, tolerant HTTP/1.1 framer: bytes of one direction in (split anywhere), head /
// body / end events out, byte offsets exact. Keep-alive, pipelining, 1xx interims, HEAD/CONNECT
// answers, chunked and until-close bodies. On malformed input it reports one problem and hands
// every byte it could not frame back as `raw`, never dropping one. Pure: no I/O, no clock.
// It does not pair requests with responses or keep bodies (exchange-builder.ts does that);
// chunked bodies are stepped through in framer-chunked.ts.
import type { Direction, Header, Body } from '../../model.js';
import { MAX_HEADER_BYTES, type Framer, type FramerEvent, type FramerMode, type FramerOptions } from './framer-api.js';
import {
  PREFIX_BYTES, buildHead, checkStartPrefix, detectKind, formatExcerpt, parseHeaderLine, parseStartLine, stripEol,
  type HeadKind, type HeadProblem, type StartLine,
} from './head.js';
import { decideBodyLength } from './body-length.js';
import { headWarnings } from './head-warnings.js';
import { ChunkedDecoder } from './chunked.js';
import { stepChunked, type ChunkedState } from './framer-chunked.js';
import { ByteQueue } from './byte-queue.js';

const LF = 0x0a;
const CR = 0x0d;

interface HeadState {
  s: 'head';
  start?: StartLine;
  kind?: HeadKind;
  prefixChecked: boolean;
  headers: Header[];
  offsets: number[];
}

type State =
  | { s: 'start' }
  | HeadState
  | { s: 'body'; remaining: number; length: number; received: number }
  | ({ s: 'chunked' } & ChunkedState)
  | { s: 'until-close' }
  | { s: 'raw' };

/** Methods remembered for responses not yet seen (auto mode); older ones are forgotten. */
const MAX_EXPECTED = 1024;

class HttpFramer implements Framer {
  private readonly mode: FramerMode;
  private readonly source: Direction;
  readonly maxHeaderBytes: number;
  readonly q = new ByteQueue();
  private readonly expected: string[] = [];
  private state: State = { s: 'start' };
  private total = 0;
  private ended = false;
  /** Stream offset of the current message's first byte. */
  private msgStart = 0;

  constructor(opts: FramerOptions) {
    this.mode = opts.mode;
    this.source = opts.source;
    this.maxHeaderBytes = opts.maxHeaderBytes ?? MAX_HEADER_BYTES;
  }

  get offset(): number {
    return this.total;
  }

  get isRaw(): boolean {
    return this.state.s === 'raw';
  }

  expectResponseTo(method: string): void {
    this.expected.push(method);
  }

  push(bytes: Buffer): FramerEvent[] {
    const out: FramerEvent[] = [];
    if (bytes.length === 0) return out;
    const at = this.total;
    this.total += bytes.length;
    if (this.state.s === 'raw' || this.ended) {
      out.push({ type: 'raw', data: bytes, offset: at });
      return out;
    }
    this.q.append(bytes);
    while (this.step(out));
    return out;
  }

  end(): FramerEvent[] {
    const out: FramerEvent[] = [];
    if (this.ended) return out;
    this.ended = true;
    const st = this.state;
    switch (st.s) {
      case 'start': // a lone CR of a leading empty line: ignorable like the empty lines themselves
        this.q.take(this.q.length);
        break;
      case 'head': {
        const p = st.start ? undefined : this.q.partial(PREFIX_BYTES);
        const early = p && !st.prefixChecked ? checkStartPrefix(p, detectKind(p, this.mode)) : undefined;
        this.fail(out, early ?? {
          code: 'truncated-head',
          message: `expected a head ending in a blank line, saw the stream end after ${this.q.length} bytes: ${formatExcerpt(this.peekStart())}`,
        }, this.msgStart);
        break;
      }
      case 'body':
        this.truncated(out, `expected ${st.length} body bytes (Content-Length), saw the stream end after ${st.received}`, 'content-length', []);
        break;
      case 'chunked':
        this.truncated(out, st.dec.truncatedMessage(), 'chunked', st.dec.trailers);
        break;
      case 'until-close':
        out.push({ type: 'end', offset: this.total, framing: 'until-close', trailers: [], complete: true });
        break;
      case 'raw':
        break;
    }
    return out;
  }

  private get base(): number {
    return this.total - this.q.length;
  }

  /** One unit of work; false when it needs more bytes (or the stream went raw). */
  private step(out: FramerEvent[]): boolean {
    const st = this.state;
    switch (st.s) {
      case 'start': {
        if (this.q.length === 0) return false;
        // RFC 9112 §2.2: ignore empty lines before a start line (belong to no message).
        const b0 = this.q.byteAt(0);
        const skip = b0 === LF ? 1 : b0 !== CR ? 0 : this.q.length < 2 ? -1 : this.q.byteAt(1) === LF ? 2 : 0;
        if (skip < 0) return false;
        if (skip > 0) {
          this.q.take(skip);
          return true;
        }
        this.msgStart = this.base;
        this.state = { s: 'head', prefixChecked: false, headers: [], offsets: [] };
        return true;
      }
      case 'head':
        return this.stepHead(st, out);
      case 'body': {
        if (this.q.length === 0) return false;
        const n = Math.min(st.remaining, this.q.length);
        this.emitBody(out, n);
        st.remaining -= n;
        st.received += n;
        if (st.remaining === 0) this.finish(out, 'content-length', []);
        return true;
      }
      case 'chunked':
        return stepChunked(this, st, out);
      case 'until-close':
        if (this.q.length > 0) this.emitBody(out, this.q.length);
        return false;
      case 'raw':
        return false;
    }
  }

  private stepHead(st: HeadState, out: FramerEvent[]): boolean {
    const line = this.q.nextLine(this.maxHeaderBytes);
    if (!line) {
      // No LF yet: judge the start line by its first bytes (a TLS ClientHello may have none).
      if (!st.start && !st.prefixChecked && this.q.partialLength > PREFIX_BYTES) {
        st.prefixChecked = true;
        const p = this.q.partial(PREFIX_BYTES);
        const problem = checkStartPrefix(p, (st.kind = detectKind(p, this.mode)));
        if (problem) return this.fail(out, problem, this.msgStart);
      }
      if (this.q.scanned >= this.maxHeaderBytes) {
        return this.fail(out, {
          code: 'header-too-large',
          message: `expected a blank line ending the head within ${this.maxHeaderBytes} bytes (raise --max-header-bytes), saw none: ${formatExcerpt(this.peekStart())}`,
        }, this.msgStart);
      }
      return false;
    }
    const lineAt = this.q.scanned - line.length;
    const text = stripEol(line);
    if (!st.start) {
      const p = text.subarray(0, PREFIX_BYTES);
      st.kind ??= detectKind(p, this.mode);
      const r = (st.prefixChecked ? undefined : checkStartPrefix(p, st.kind)) ?? parseStartLine(text, st.kind);
      st.prefixChecked = true;
      if ('code' in r) return this.fail(out, r, this.msgStart);
      st.start = r;
      return true;
    }
    if (text.length > 0) {
      const r = parseHeaderLine(text, st.headers);
      if (typeof r !== 'boolean') return this.fail(out, r, this.msgStart + lineAt);
      if (r) st.offsets.push(lineAt);
      return true;
    }
    return this.completeHead(st, out);
  }

  /** The first bytes of the current head (for messages), without consuming them. */
  private peekStart(): Buffer {
    const n = Math.min(this.q.length, PREFIX_BYTES * 2, this.maxHeaderBytes); // same for every split
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = this.q.byteAt(i);
    return bytes;
  }

  private completeHead(st: HeadState, out: FramerEvent[]): boolean {
    const start = st.start!;
    const raw = Buffer.concat(this.q.take(this.q.scanned));
    const head = buildHead(start, st.headers, raw);
    let method = 'GET';
    if (head.kind === 'request' && this.mode === 'auto') {
      // One stream holding both directions (offline): a response later in this very push must
      // already know it answers a HEAD. Bounded: a client-only capture never dequeues.
      this.expected.push(head.method);
      if (this.expected.length > MAX_EXPECTED) this.expected.shift();
    } else if (head.kind === 'response') {
      const final = head.status >= 200 || head.status === 101;
      method = (final ? this.expected.shift() : this.expected[0]) ?? 'GET';
    }
    const length = decideBodyLength(head, method);
    if (length.kind === 'problem') {
      const offset = this.msgStart + (st.offsets[length.headerIndex] ?? 0);
      out.push({ type: 'problem', problem: { code: length.code, source: this.source, offset, message: length.message } });
      out.push({ type: 'raw', data: raw, offset: this.msgStart });
      return this.goRaw(out);
    }
    out.push({ type: 'head', head, offset: this.msgStart, declaredLength: length.kind === 'content-length' ? length.length : undefined });
    // Problems that do not stop framing; after the head so they belong to its message.
    for (const w of headWarnings(head)) {
      const offset = this.msgStart + (st.offsets[w.headerIndex] ?? 0);
      out.push({ type: 'problem', problem: { code: w.code, source: this.source, offset, message: w.message } });
    }
    switch (length.kind) {
      case 'none':
        this.finish(out, 'none', []);
        return true;
      case 'tunnel':
        this.finish(out, 'none', []);
        return this.goRaw(out);
      case 'content-length':
        if (length.length === 0) this.finish(out, 'content-length', []);
        else this.state = { s: 'body', remaining: length.length, length: length.length, received: 0 };
        return true;
      case 'chunked':
        this.state = { s: 'chunked', dec: new ChunkedDecoder(this.maxHeaderBytes), prefixChecked: false };
        return true;
      case 'until-close':
        this.state = { s: 'until-close' };
        return true;
    }
  }

  emitBody(out: FramerEvent[], n: number): void {
    let offset = this.base;
    for (const data of this.q.take(n)) {
      out.push({ type: 'body', data, offset });
      offset += data.length;
    }
  }

  /** The message ends at the queue start (everything before it was consumed). */
  finish(out: FramerEvent[], framing: Body['framing'], trailers: Header[]): void {
    out.push({ type: 'end', offset: this.base, framing, trailers, complete: true });
    this.state = { s: 'start' };
  }

  /** A fatal problem: report it, then everything not yet framed goes out as raw. */
  private fail(out: FramerEvent[], p: HeadProblem | { code: string; message: string }, offset: number): boolean {
    out.push({ type: 'problem', problem: { code: p.code, source: this.source, offset, message: p.message } });
    return this.goRaw(out);
  }

  /** A problem inside a body: the message ends incomplete where the bad unit starts. */
  failBody(out: FramerEvent[], p: { code: string; message: string }, dec: ChunkedDecoder): boolean {
    out.push({ type: 'problem', problem: { code: p.code, source: this.source, offset: this.base, message: p.message } });
    out.push({ type: 'end', offset: this.base, framing: 'chunked', trailers: dec.trailers, complete: false });
    return this.goRaw(out);
  }

  private goRaw(out: FramerEvent[]): boolean {
    let offset = this.base;
    for (const data of this.q.take(this.q.length)) {
      out.push({ type: 'raw', data, offset });
      offset += data.length;
    }
    this.state = { s: 'raw' };
    return false;
  }

  private truncated(out: FramerEvent[], message: string, framing: Body['framing'], trailers: Header[]): void {
    out.push({ type: 'problem', problem: { code: 'truncated-body', source: this.source, offset: this.total, message } });
    this.q.take(this.q.length); // a partial chunk line belongs to the (incomplete) message
    out.push({ type: 'end', offset: this.total, framing, trailers, complete: false });
  }
}

/** A framer for one direction of one connection. See framer-api.ts for the contract. */
export function createFramer(opts: FramerOptions): Framer {
  return new HttpFramer(opts);
}
