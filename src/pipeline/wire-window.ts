import type { HttpMessage } from '../model.js';

// The last bytes of one direction of a connection, by reference (no copy), so that the exact
// wire bytes of a chunked message — its chunk sizes, extensions and trailers, which the body's
// de-chunked data no longer holds — can be put on the message (`HttpMessage.wire`). Messages
// framed by length or close need none: their wire bytes are the head and the body as kept.
// At most `limit` bytes are held: a message bigger than that gets no `wire`.
export class WireWindow {
  private chunks: Buffer[] = [];
  /** Stream offset of the first byte of chunks[0]. */
  private start = 0;
  private length = 0;

  constructor(private readonly limit: number) {}

  push(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
    while (this.length > this.limit && this.chunks.length > 1) this.dropFirst();
  }

  /** A copy of stream bytes [from, to), or undefined when they are no longer (all) held. */
  slice(from: number, to: number): Buffer | undefined {
    if (from < this.start || to > this.start + this.length || to < from) return undefined;
    const out = Buffer.allocUnsafe(to - from);
    let at = this.start;
    let written = 0;
    for (const c of this.chunks) {
      const end = at + c.length;
      if (end > from && at < to) {
        const a = Math.max(from, at) - at;
        const b = Math.min(to, end) - at;
        written += c.copy(out, written, a, b);
      }
      at = end;
      if (at >= to) break;
    }
    return out;
  }

  /** Forgets every byte before stream offset `to` (the message that ended there was taken). */
  drop(to: number): void {
    while (this.chunks.length && this.start + this.chunks[0]!.length <= to) this.dropFirst();
  }

  private dropFirst(): void {
    const c = this.chunks.shift()!;
    this.start += c.length;
    this.length -= c.length;
  }
}

/** One connection's windows: per direction fed to the framer (offline, one stream, `client`,
 * holds both), its latest bytes. */
export class ConnectionWire {
  private readonly client: WireWindow;
  private readonly server: WireWindow;

  constructor(limit: number, private readonly offline: boolean) {
    this.client = new WireWindow(limit);
    this.server = new WireWindow(limit);
  }

  /** Bytes as they go into the framer. */
  push(source: 'client' | 'server', bytes: Buffer): void {
    (this.offline || source === 'client' ? this.client : this.server).push(bytes);
  }

  /** A chunked message gets its exact wire bytes; the window forgets what is before its end. */
  keep(type: 'request' | 'response', msg: HttpMessage | undefined): void {
    if (!msg) return;
    const w = this.offline || type === 'request' ? this.client : this.server;
    if (msg.body.framing === 'chunked') {
      const wire = w.slice(msg.start, msg.end);
      if (wire) msg.wire = wire;
    }
    w.drop(msg.end);
  }
}
