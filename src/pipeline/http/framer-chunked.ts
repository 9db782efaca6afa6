// The chunked-body steps of the framer (RFC 9112 §7.1): size lines, data, the CRLF after the
// data, trailers. One step per call; false when more bytes are needed or the stream went raw.
// The chunk grammar itself is ChunkedDecoder's (chunked.ts); this moves the framer's queue.
import type { Body, Header } from '../../model.js';
import type { FramerEvent } from './framer-api.js';
import type { ByteQueue } from './byte-queue.js';
import type { ChunkedDecoder } from './chunked.js';
import { PREFIX_BYTES, stripEol } from './head.js';

/** A chunked body in progress: its decoder, and whether the current size line's first bytes
 * were already judged. */
export interface ChunkedState {
  dec: ChunkedDecoder;
  prefixChecked: boolean;
}

/** What the steps use of the framer. */
export interface ChunkedHost {
  readonly q: ByteQueue;
  readonly maxHeaderBytes: number;
  /** The next `n` queued bytes go out as body. */
  emitBody(out: FramerEvent[], n: number): void;
  /** The message ends at the queue start. */
  finish(out: FramerEvent[], framing: Body['framing'], trailers: Header[]): void;
  /** A problem inside the body: the message ends incomplete, the rest goes raw. */
  failBody(out: FramerEvent[], p: { code: string; message: string }, dec: ChunkedDecoder): boolean;
}

export function stepChunked(f: ChunkedHost, st: ChunkedState, out: FramerEvent[]): boolean {
  const { dec } = st;
  const step = dec.step;
  switch (step.kind) {
    case 'data': {
      if (f.q.length === 0) return false;
      const n = Math.min(step.remaining, f.q.length);
      f.emitBody(out, n);
      dec.data(n);
      return true;
    }
    case 'data-end': {
      if (f.q.length === 0) return false;
      const r = dec.dataEndBytes(f.q.length, f.q.byteAt(0), f.q.length > 1 ? f.q.byteAt(1) : undefined);
      if (typeof r !== 'number') return f.failBody(out, r, dec);
      if (r === 0) return false;
      f.q.take(r);
      return true;
    }
    case 'done':
      f.finish(out, 'chunked', dec.trailers);
      return true;
    case 'size-line':
    case 'trailer-line': {
      const limit = step.kind === 'size-line' ? f.maxHeaderBytes : f.maxHeaderBytes - dec.trailerBytes;
      const line = f.q.nextLine(limit);
      if (!line) {
        if (step.kind === 'size-line' && !st.prefixChecked && f.q.partialLength > PREFIX_BYTES) {
          st.prefixChecked = true;
          const problem = dec.checkSizePrefix(f.q.partial(PREFIX_BYTES));
          if (problem) return f.failBody(out, problem, dec);
        }
        if (f.q.scanned >= limit) return f.failBody(out, dec.lineTooLong(limit), dec);
        return false;
      }
      let problem;
      if (step.kind === 'size-line') {
        problem = dec.plainSizeLine(line) ? undefined
          : (st.prefixChecked ? undefined : dec.checkSizePrefix(stripEol(line).subarray(0, PREFIX_BYTES))) ?? dec.sizeLine(line);
        st.prefixChecked = false;
      } else {
        problem = dec.trailerLine(line);
      }
      if (problem) return f.failBody(out, problem, dec);
      f.q.take(line.length);
      return true;
    }
  }
}
