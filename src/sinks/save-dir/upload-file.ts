// One level-2 upload on its way to disk, in a temp file of its own (two PUTs to one DumpFile
// never share a file). Bytes are gathered in memory and appended in bursts — open, write,
// close, inside a FileSlots slot — so an upload holds no descriptor between bursts: a
// thousand slow uploads need no thousand open files, and a full descriptor table delays a
// burst instead of losing it. The writes are synchronous (like SyncFileStream: straight into
// the page cache; faster than the thread pool on the capture benchmark). `finish()` succeeds
// only when every write and every close did: only then may the file be called complete.
import fs from 'node:fs';
import type { FileSlots } from './file-slots.js';

/** Bytes gathered before a burst is written. */
const BURST_BYTES = 256 * 1024;
/** Bytes held in memory before the sender is asked to wait (waitDrain). */
const HIGH_WATER = 1024 * 1024;

/** The file operations used, replaceable in tests (a disk that fails on the n-th write). */
export interface UploadFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Buffer, offset: number): number;
  closeSync(fd: number): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

export class UploadFile {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private created = false;
  private writing: Promise<void> | null = null;
  /** The first failure; once set, nothing more is written and the file is gone. */
  error: NodeJS.ErrnoException | undefined;
  /** Bytes on disk so far. */
  written = 0;

  constructor(readonly path: string, private readonly slots: FileSlots, private readonly io: UploadFs = fs) {}

  write(data: Buffer): void {
    if (this.error) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= BURST_BYTES) this.startWriting();
  }

  /** Null while more can be taken; else settles once the held bytes are on disk (or failed). */
  waitDrain(): Promise<void> | null {
    return this.pendingBytes >= HIGH_WATER && this.writing ? this.writing : null;
  }

  /** Writes what is left and resolves once the whole file is written and closed; rejects with
   * the first failure (the temp file is then already removed). */
  async finish(): Promise<void> {
    while (this.writing) await this.writing;
    // A body of 0 bytes still gets its (empty) file.
    if (!this.error && (this.pendingBytes > 0 || !this.created)) {
      this.startWriting();
      await this.writing;
    }
    if (this.error) throw this.error;
  }

  /** Removes the temp file (a failed or abandoned upload must not keep the disk full). */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.io.rmSync(this.path, { force: true });
    } catch {
      // Already gone, or the folder itself is unusable: nothing left to free.
    }
  }

  private startWriting(): void {
    if (this.writing) return;
    this.writing = this.writeBursts().finally(() => (this.writing = null));
  }

  private async writeBursts(): Promise<void> {
    do {
      const burst = this.pending;
      this.pending = [];
      try {
        await this.slots.run(() => this.append(burst));
      } catch (err) {
        this.error = err as NodeJS.ErrnoException;
        this.discard();
        return;
      }
      for (const b of burst) this.pendingBytes -= b.length;
    } while (this.pendingBytes >= BURST_BYTES);
  }

  /** One burst: open (create the first time), write all, close — a close error fails it too. */
  private append(burst: Buffer[]): void {
    const fd = this.io.openSync(this.path, this.created ? 'a' : 'wx');
    this.created = true;
    let failure: unknown;
    try {
      for (const chunk of burst) {
        for (let off = 0; off < chunk.length;) off += this.io.writeSync(fd, chunk, off);
        this.written += chunk.length;
      }
    } catch (err) {
      failure = err;
    }
    try {
      this.io.closeSync(fd);
    } catch (err) {
      failure ??= err;
    }
    if (failure) throw failure;
  }
}
