// `--raw` and `-o`: exactly the bytes clients sent, nothing else — what `nc -l > file` saves.
// With several connections each one's bytes stay together: the first connection streams
// straight through, later ones wait (in memory, then in a temporary file: spool.ts) until the
// ones before them have closed, so a saved file can be decoded again as one stream of whole messages.
import { once } from 'node:events';
import { drainOf } from './drain.js';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, Sink } from '../model.js';
import { Spool, SPOOL_MEMORY_BYTES } from './spool.js';

export interface RawSinkOptions {
  /** Memory per waiting connection before its bytes go to a temporary file. */
  spoolMemoryBytes?: number;
  spoolDir?: string;
}

export class RawSink implements Sink {
  private owner: number | undefined;
  private readonly order: number[] = [];
  private readonly queued = new Map<number, Spool>();
  private readonly closed = new Set<number>();

  constructor(
    private readonly out: Writable, private readonly source: Direction = 'client', private readonly endOut = false,
    private readonly spoolOpts: RawSinkOptions = {},
  ) {}

  chunk(chunk: Chunk, _conn: ConnectionInfo): void {
    if (chunk.source !== this.source) return;
    if (this.owner === undefined) this.owner = chunk.connId;
    if (chunk.connId === this.owner) this.out.write(chunk.bytes);
    else {
      let q = this.queued.get(chunk.connId);
      if (!q) this.queued.set(chunk.connId, (q = new Spool(this.spoolOpts.spoolMemoryBytes ?? SPOOL_MEMORY_BYTES, this.spoolOpts.spoolDir)));
      q.add(chunk.bytes);
    }
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'open') this.order.push(ev.connection.id);
    else if (ev.type === 'close') {
      this.closed.add(ev.connection.id);
      if (ev.connection.id === this.owner || this.owner === undefined) this.advance();
    }
  }

  /** The owner closed: hand the stream to the oldest connection still waiting. */
  private advance(): void {
    if (this.owner !== undefined) {
      const i = this.order.indexOf(this.owner);
      if (i >= 0) this.order.splice(i, 1);
      this.closed.delete(this.owner);
    }
    this.owner = undefined;
    while (this.order.length) {
      const id = this.order[0]!;
      const q = this.queued.get(id);
      this.queued.delete(id);
      q?.drain((b) => this.out.write(b));
      if (!this.closed.has(id)) {
        this.owner = id;
        return;
      }
      this.order.shift();
      this.closed.delete(id);
    }
  }

  waitDrain(): Promise<void> | null {
    return drainOf(this.out);
  }

  async close(): Promise<void> {
    // Connections still open at shutdown: write what they sent, in order.
    for (const id of this.order) {
      this.queued.get(id)?.drain((b) => this.out.write(b));
    }
    this.queued.clear();
    if (this.endOut) {
      await new Promise<void>((resolve, reject) => {
        this.out.once('error', reject);
        this.out.end(() => resolve());
      });
    } else if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}
