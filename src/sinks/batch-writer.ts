// Text sinks (NDJSON, the human view) produce many small events per input chunk or socket
// read. Writing each with its own write() costs a syscall apiece when stdout is a file or
// /dev/null (a SyncWriteStream) and a pipe write otherwise; this encodes whole events into a
// shared buffer and writes it once the current task is done (a microtask), or when it is full.
// Events stay whole and in order; nothing is reordered or split. It deliberately does no
// waiting itself: callers still ask the stream about drain (after flush()).
import type { Writable } from 'node:stream';

/** Size of the buffer events are encoded into (a larger event gets one of its own). */
export const BATCH_BYTES = 64 * 1024;
/** A remainder smaller than this is not worth keeping after a flush. */
const MIN_REST_BYTES = 4 * 1024;

export class BatchWriter {
  private buf: Buffer | undefined;
  private used = 0;
  private scheduled = false;

  constructor(private readonly out: Writable) {}

  /** Queue one whole event's text, followed by `\n` when `newline`. */
  write(text: string, newline = false): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units)
    const need = text.length * 3 + (newline ? 1 : 0);
    if (this.buf && this.used + need > this.buf.length) {
      this.flush();
      if (this.buf && need > this.buf.length) this.buf = undefined; // what is left is too small
    }
    this.buf ??= Buffer.allocUnsafe(Math.max(BATCH_BYTES, need));
    // Encoding straight into the buffer: no concatenated string to flatten, no byte count
    // pass, and no worst-case allocation per batch (which is what Buffer.from(text) does).
    this.used += this.buf.write(text, this.used, 'utf8');
    if (newline) this.buf[this.used++] = 0x0a;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Write everything queued now. */
  flush(): void {
    const buf = this.buf;
    if (!buf || this.used === 0) return;
    const bytes = buf.subarray(0, this.used);
    // The stream owns the written part; what follows it in the buffer is still ours to fill.
    this.buf = buf.length - this.used >= MIN_REST_BYTES ? buf.subarray(this.used) : undefined;
    this.used = 0;
    this.out.write(bytes);
  }
}
