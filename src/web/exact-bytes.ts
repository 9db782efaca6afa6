// The exact bytes of each request, for the "request as sent" download: the client's chunks of
// each connection are kept from the end of its last request on, and when a request completes
// its range [start, end) is cut out. Each connection keeps at most `cap` bytes (the oldest go
// first): a request larger than that is given as head + body instead where that is exact
// (Content-Length or no body), and not at all where it is not (chunked). Only the client side
// is kept; responses are exact in their own head and body (see exactRequest).
import type { Chunk, Exchange, Request } from '../model.js';

/** Client bytes kept per connection while a request is in flight. */
export const EXACT_WINDOW_BYTES = 4 * 1024 * 1024;

interface Window { start: number; length: number; chunks: Buffer[] }

export class ExactBytes {
  private readonly windows = new Map<number, Window>();

  constructor(private readonly cap = EXACT_WINDOW_BYTES) {}

  chunk(chunk: Chunk): void {
    if (chunk.source !== 'client') return;
    let w = this.windows.get(chunk.connId);
    if (!w) this.windows.set(chunk.connId, (w = { start: 0, length: 0, chunks: [] }));
    w.chunks.push(chunk.bytes);
    w.length += chunk.bytes.length;
    while (w.length > this.cap && w.chunks.length > 1) {
      const first = w.chunks.shift()!;
      w.start += first.length;
      w.length -= first.length;
    }
    if (w.length > this.cap) {
      // One chunk larger than the window: keep its end only.
      const only = w.chunks[0]!;
      const keep = only.subarray(only.length - this.cap);
      w.start += only.length - keep.length;
      w.length = keep.length;
      w.chunks = [Buffer.from(keep)];
    }
  }

  /** The request's wire bytes, cut from the window (which then starts after them). */
  take(ex: Exchange): Buffer | undefined {
    const req = ex.request;
    const w = this.windows.get(ex.connection.id);
    if (!req || !w) return fallback(req);
    let bytes: Buffer | undefined;
    if (req.start >= w.start && req.end <= w.start + w.length) {
      const all = w.chunks.length === 1 ? w.chunks[0]! : Buffer.concat(w.chunks, w.length);
      bytes = Buffer.from(all.subarray(req.start - w.start, req.end - w.start));
      const rest = all.subarray(req.end - w.start);
      w.chunks = rest.length ? [rest] : [];
      w.length = rest.length;
      w.start = req.end;
    }
    return bytes ?? fallback(req);
  }

  forget(connId: number): void {
    this.windows.delete(connId);
  }
}

/** Head + body, where that is the wire bytes: a whole body framed by Content-Length (or none). */
function fallback(req: Request | undefined): Buffer | undefined {
  if (!req || !req.body.complete) return undefined;
  if (req.body.framing === 'none' && req.body.length === 0) return req.head.raw;
  if (req.body.framing !== 'content-length' || !req.body.data) return undefined;
  return Buffer.concat([req.head.raw, req.body.data]);
}

/** A response's bytes as sent: head and body (chunked bodies are given de-chunked). */
export function responseBytes(ex: Exchange): Buffer | undefined {
  const res = ex.response;
  return res ? Buffer.concat([res.head.raw, res.body.data ?? Buffer.alloc(0)]) : undefined;
}
