// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1): chunk size lines with
// extensions, chunk data, the CRLF after it, the last chunk and the trailer section. It is a
// step machine, not a byte buffer: the caller (framer.ts) asks `step` what comes next, collects
// a whole line or some data bytes from its own chunk list, and hands them over. That keeps the
// "where does a unit start" bookkeeping in one place, so a bad unit can be re-emitted as raw
// bytes from its first byte. It does not copy or keep body data; extensions are skipped.
import type { Header } from '../../model.js';
import { formatExcerpt, parseHeaderLine, stripEol } from './head.js';

export type ChunkedStep =
  /** Waiting for a chunk size line `HEX [;ext]` CRLF (also the last chunk `0`). */
  | { kind: 'size-line' }
  /** `remaining` more data bytes of the current chunk. */
  | { kind: 'data'; remaining: number }
  /** The CRLF (or bare LF) after chunk data. */
  | { kind: 'data-end' }
  /** A trailer field line, or the blank line that ends the message. */
  | { kind: 'trailer-line' }
  | { kind: 'done' };

export interface ChunkedProblem {
  code: 'bad-chunk-size' | 'bad-header' | 'header-too-large';
  message: string;
}

const SIZE_LINE = '"HEX[;ext]"';
const SIZE_PREFIX = /^[0-9A-Fa-f]+(?:[ \t;\r]|$)/;
const SIZE_LINE_RE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/s;
const MAX_HEX_DIGITS = 13; // 16^13 = 2^52: any larger chunk can't be a real one
/** The steps without data, shared (one object per chunk fewer). */
const SIZE_LINE_STEP: ChunkedStep = { kind: 'size-line' };
const TRAILER_LINE: ChunkedStep = { kind: 'trailer-line' };
const DATA_END: ChunkedStep = { kind: 'data-end' };

export class ChunkedDecoder {
  private current: ChunkedStep = { kind: 'size-line' };
  /** Trailer fields, original case and order (RFC 9112 §7.1.2). */
  readonly trailers: Header[] = [];
  /** De-chunked body bytes so far. */
  decoded = 0;
  /** Bytes of the trailer section so far (its limit is the head limit). */
  trailerBytes = 0;
  private chunkSize = 0;

  constructor(readonly maxLineBytes: number) {}

  get step(): ChunkedStep {
    return this.current;
  }

  /** Fail fast on the first bytes of a size line (≤ 16, without its line end). */
  checkSizePrefix(prefix: Buffer): ChunkedProblem | undefined {
    if (prefix.length === 0 || SIZE_PREFIX.test(prefix.toString('latin1'))) return undefined;
    return { code: 'bad-chunk-size', message: `expected a chunk size line ${SIZE_LINE}, saw ${formatExcerpt(prefix)}` };
  }

  /** The common size line — hex digits, then CRLF or LF — read straight from the bytes, with
   * no string, regex or Buffer made: a body of millions of one-byte chunks has millions of
   * them. True when it was one (and is taken); false leaves it to sizeLine(). */
  plainSizeLine(line: Buffer): boolean {
    const end = line.length - (line.length >= 2 && line[line.length - 2] === 0x0d ? 2 : 1);
    if (end < 1 || end > MAX_HEX_DIGITS || line[line.length - 1] !== 0x0a) return false;
    let size = 0;
    for (let i = 0; i < end; i++) {
      const c = line[i]!;
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (d < 0) return false;
      size = size * 16 + d;
    }
    this.chunkSize = size;
    this.current = size === 0 ? TRAILER_LINE : { kind: 'data', remaining: size };
    return true;
  }

  /** A whole size line, including its line end. */
  sizeLine(line: Buffer): ChunkedProblem | undefined {
    const text = stripEol(line);
    const m = SIZE_LINE_RE.exec(text.toString('latin1'));
    if (!m) return { code: 'bad-chunk-size', message: `expected a chunk size line ${SIZE_LINE}, saw ${formatExcerpt(text)}` };
    const hex = m[1]!.replace(/^0+(?=.)/, '');
    if (hex.length > MAX_HEX_DIGITS) {
      return { code: 'bad-chunk-size', message: `expected a chunk size below 2^52, saw ${formatExcerpt(text)}` };
    }
    this.chunkSize = parseInt(hex, 16);
    // §7.1: a zero size is the last chunk; the trailer section follows.
    this.current = this.chunkSize === 0 ? { kind: 'trailer-line' } : { kind: 'data', remaining: this.chunkSize };
    return undefined;
  }

  /** `n` (≤ remaining) data bytes went by. */
  data(n: number): void {
    if (this.current.kind !== 'data' || n > this.current.remaining) throw new RangeError('chunk data beyond the chunk');
    this.decoded += n;
    const remaining = this.current.remaining - n;
    this.current = remaining === 0 ? DATA_END : { kind: 'data', remaining };
  }

  /** Given the next (up to 2) bytes after chunk data: how many are the line end (1 or 2),
   * 0 when more bytes are needed to tell, or a problem. */
  dataEnd(next: Buffer): number | ChunkedProblem {
    return this.dataEndBytes(next.length, next[0]!, next[1]);
  }

  /** dataEnd() for the `available` (≥ 1) next bytes b0 and b1, without a Buffer for them. */
  dataEndBytes(available: number, b0: number, b1: number | undefined): number | ChunkedProblem {
    if (b0 === 0x0a) return this.afterData(1);
    if (available < 2) return 0;
    if (b0 === 0x0d && b1 === 0x0a) return this.afterData(2);
    return {
      code: 'bad-chunk-size',
      message: `expected CRLF after the ${this.chunkSize}-byte chunk data (wrong chunk size?), saw ${formatExcerpt(Buffer.from([b0, b1!]))}`,
    };
  }

  private afterData(n: number): number {
    this.current = SIZE_LINE_STEP;
    return n;
  }

  /** A whole trailer line, including its line end; a blank one ends the message. */
  trailerLine(line: Buffer): ChunkedProblem | undefined {
    this.trailerBytes += line.length;
    const text = stripEol(line);
    if (text.length === 0) {
      this.current = { kind: 'done' };
      return undefined;
    }
    const r = parseHeaderLine(text, this.trailers);
    return typeof r === 'boolean' ? undefined : { code: r.code as 'bad-header', message: `trailer: ${r.message}` };
  }

  /** The problem for a line that reached `limit` bytes without its LF. */
  lineTooLong(limit: number): ChunkedProblem {
    return this.current.kind === 'trailer-line'
      ? { code: 'header-too-large', message: `expected the trailer section to end within ${this.maxLineBytes} bytes (--max-header-bytes), saw no blank line` }
      : { code: 'bad-chunk-size', message: `expected a chunk size line ${SIZE_LINE} within ${limit} bytes, saw no LF` };
  }

  /** Why the stream ending now leaves the body incomplete. */
  truncatedMessage(): string {
    const where = {
      'size-line': 'waiting for a chunk size line',
      data: `inside a ${this.chunkSize}-byte chunk`,
      'data-end': 'waiting for the CRLF after chunk data',
      'trailer-line': 'inside the trailer section',
      done: 'after the body',
    }[this.current.kind];
    return `expected the rest of a chunked body, saw the stream end ${where} (${this.decoded} body bytes so far)`;
  }
}

/** Decodes a whole chunked body held in one buffer. For tests and offline use; the framer
 * drives ChunkedDecoder itself. `consumed`: wire bytes used, through the final blank line. */
export function dechunk(wire: Buffer, maxLineBytes = 64 * 1024):
  { body: Buffer; trailers: Header[]; consumed: number; complete: boolean } | ChunkedProblem {
  const dec = new ChunkedDecoder(maxLineBytes);
  const pieces: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const step = dec.step;
    if (step.kind === 'done') break;
    if (step.kind === 'data') {
      const n = Math.min(step.remaining, wire.length - pos);
      if (n === 0) break;
      pieces.push(wire.subarray(pos, pos + n));
      dec.data(n);
      pos += n;
      continue;
    }
    if (step.kind === 'data-end') {
      const r = dec.dataEnd(wire.subarray(pos, pos + 2));
      if (typeof r !== 'number') return r;
      if (r === 0) break;
      pos += r;
      continue;
    }
    const lf = wire.indexOf(0x0a, pos);
    if (lf < 0) break;
    const line = wire.subarray(pos, lf + 1);
    const r = step.kind === 'size-line'
      ? (dec.checkSizePrefix(stripEol(line).subarray(0, 16)) ?? dec.sizeLine(line))
      : dec.trailerLine(line);
    if (r) return r;
    pos = lf + 1;
  }
  return { body: Buffer.concat(pieces), trailers: dec.trailers, consumed: pos, complete: dec.step.kind === 'done' };
}
