// A level-2 upload on its way to the CAB worker, spooled to a temporary file as it arrives, so
// the thread that serves sockets never holds it whole, never copies it and never hands it over
// as one buffer: the worker reads it from the file block by block (cab-inspect.ts). Bytes are
// gathered and appended in bursts (open, write, close: no descriptor is held between bursts,
// so a thousand slow uploads need no thousand open files); a write is a copy into the page
// cache, a fraction of a millisecond per burst. A failed write ends the spool (the file is
// removed): that upload is then listed from its first bytes, not summarised.
import fs from 'node:fs';
import path from 'node:path';

/** Bytes gathered before a burst is written. */
const BURST_BYTES = 256 * 1024;

let seq = 0;
/** Spools whose file may still be on disk: whatever is here when the run stops (a job still
 * queued on a worker that was closed, a stop under load) is removed then, or at exit at the
 * latest, so a graceful stop leaves no temporary file behind. */
const live = new Set<UploadSpool>();

/** Removes every spool file still on disk (the run is over). */
export function discardAllSpools(): void {
  for (const s of live) s.discard();
}
process.once('exit', discardAllSpools);

export class UploadSpool {
  readonly path: string;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private created = false;
  /** Bytes on disk so far. */
  written = 0;
  /** Why the spool stopped (the file is gone), once it did. */
  failure?: string;

  constructor(dir: string) {
    this.path = path.join(dir, `wer-sniff-upload-${process.pid}-${++seq}.cab`);
    live.add(this);
  }

  /** The caller must not change `data` afterwards (socket reads never are). */
  write(data: Buffer): void {
    if (this.failure || data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= BURST_BYTES) this.flush();
  }

  /** Writes what is held; the path when the whole body is on disk, else undefined. */
  finish(): string | undefined {
    this.flush();
    if (!this.failure && !this.created) this.append([]);
    return this.failure ? undefined : this.path;
  }

  /** Removes the file (after its job, or for an upload that is not a cabinet). */
  discard(): void {
    live.delete(this);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      fs.rmSync(this.path, { force: true });
    } catch {
      // already gone
    }
  }

  private flush(): void {
    if (this.failure || this.pendingBytes === 0) return;
    const burst = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.append(burst);
  }

  private append(burst: Buffer[]): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.path, this.created ? 'a' : 'wx');
      this.created = true;
      for (const chunk of burst) {
        for (let off = 0; off < chunk.length;) off += fs.writeSync(fd, chunk, off);
        this.written += chunk.length;
      }
      fs.closeSync(fd);
    } catch (err) {
      if (fd !== undefined) try { fs.closeSync(fd); } catch { /* the write failed first */ }
      this.failure = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      this.discard();
    }
  }
}
