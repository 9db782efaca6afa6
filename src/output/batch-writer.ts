// Text sinks (NDJSON, the human view) produce many small events per input chunk or socket
// read. Writing each with its own write() costs a syscall apiece when stdout is a file or
// /dev/null (a SyncWriteStream) and a pipe write otherwise; this collects whole events and
// writes them together once the current task is done (a microtask), or at once when a lot is
// pending. Events stay whole and in order; nothing is reordered or split. It deliberately does
// no waiting itself: callers still ask the stream about drain (after flush()).
import type { Writable } from 'node:stream';

/** Pending text is written at once beyond this many characters. */
export const MAX_BATCH_CHARS = 1 << 20;

export class BatchWriter {
  private pending = '';
  private scheduled = false;

  constructor(private readonly out: Writable) {}

  /** Queue `text` (one or more whole events). */
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= MAX_BATCH_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Write everything queued now. */
  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  }
}
