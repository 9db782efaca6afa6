// A level-2 upload on its way to the CAB worker, spooled to a temporary file as it arrives, so
// the thread that serves sockets never holds it whole, never copies it and never hands it over
// as one buffer: the worker reads it from the file block by block (cab-inspect.ts).
//
// The thread that serves sockets only queues: bytes are gathered by reference and appended in
// bursts (open, writev, close) on the I/O thread pool, one burst at a time, so no write, open
// or close of this file ever waits on the disk there (a synchronous write that the kernel
// throttled held every client for up to 270 ms on a busy machine). No descriptor is held
// between bursts, so a thousand slow uploads need no thousand open files. What is not on disk
// yet is bounded: past HIGH_WATER_BYTES, waitDrain() asks the caller to pause that upload's
// socket. A failed write ends the spool (the file is removed): that upload is then listed from
// its first bytes, not summarised. An upload that does not begin like a cabinet ("MSCF") is
// not spooled at all: no CAB job would read it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isOutOfDescriptors } from '../../util/descriptors.js';
import { OPEN_PATIENCE_MS } from './file-read.js';

/** Bytes gathered before a burst is written. */
const BURST_BYTES = 256 * 1024;
/** Bytes not on disk yet (gathered and in flight) beyond which the sender is asked to wait. */
export const HIGH_WATER_BYTES = 2 * 1024 * 1024;
const CAB_SIGNATURE = 'MSCF';

let seq = 0;
/** Spools whose file may still be on disk: whatever is here when the run stops (a job still
 * queued on a worker that was closed, a stop under load, a removal still in flight) is removed
 * then, or at exit at the latest, so a graceful stop leaves no temporary file behind. */
const live = new Set<UploadSpool>();

/** Removes every spool file still on disk (the run is over); synchronous, for exit too. */
export function discardAllSpools(): void {
  for (const s of live) s.discardNow();
}
process.once('exit', discardAllSpools);

export class UploadSpool {
  readonly path: string;
  private pending: Buffer[] = [];
  /** Bytes written to the spool but not on disk yet: gathered, or in the burst in flight. */
  private held = 0;
  private gathered = 0;
  private created = false;
  /** The burst chain in flight, if any. */
  private writing: Promise<void> | null = null;
  /** Discarded: nothing more is written, the file goes once no burst is in flight. */
  private gone = false;
  /** Bytes seen so far, to tell a cabinet from anything else by its first four. */
  private seen = 0;
  private signature = '';
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
    if (this.failure || this.gone || data.length === 0) return;
    if (this.seen < CAB_SIGNATURE.length) {
      this.signature += data.toString('latin1', 0, CAB_SIGNATURE.length - this.seen);
      this.seen = this.signature.length;
      if (!CAB_SIGNATURE.startsWith(this.signature)) return this.stop('not a cabinet');
    }
    this.pending.push(data);
    this.gathered += data.length;
    this.held += data.length;
    if (this.gathered >= BURST_BYTES) this.startWriting(false);
  }

  /** Null while more can be taken; else settles once the burst in flight is on disk. */
  waitDrain(): Promise<void> | null {
    return this.held >= HIGH_WATER_BYTES && this.writing ? this.writing : null;
  }

  /** Writes what is held; resolves with the path once the whole body is on disk and the file
   * closed, or undefined when the spool failed or was discarded (the file is then gone). */
  async finish(): Promise<string | undefined> {
    while (this.writing) await this.writing;
    if (!this.failure && !this.gone && (this.gathered > 0 || !this.created)) {
      this.startWriting(true);
      while (this.writing) await this.writing;
    }
    return this.failure || this.gone ? undefined : this.path;
  }

  /** Removes the file (after its job, or for an upload that is not a cabinet), on the thread
   * pool: once the burst in flight, if any, is done. */
  discard(): void {
    if (this.gone) return;
    this.gone = true;
    this.pending = [];
    this.gathered = 0;
    const remove = (): void => {
      fs.rm(this.path, { force: true }, () => live.delete(this));
    };
    if (this.writing) void this.writing.then(remove);
    else remove();
  }

  /** Removes the file now, synchronously (the run is over). */
  discardNow(): void {
    this.gone = true;
    this.pending = [];
    this.gathered = 0;
    live.delete(this);
    try {
      fs.rmSync(this.path, { force: true });
    } catch {
      // already gone
    }
  }

  private stop(why: string): void {
    this.failure = why;
    this.discard();
  }

  private startWriting(last: boolean): void {
    if (this.writing) return;
    this.writing = this.writeBursts(last).finally(() => (this.writing = null));
  }

  /** Bursts, one after the other, while a full one is gathered (or, `last`, anything is). */
  private async writeBursts(last: boolean): Promise<void> {
    while (!this.gone && !this.failure && (this.gathered >= BURST_BYTES || (last && (this.gathered > 0 || !this.created)))) {
      const burst = this.pending;
      const bytes = this.gathered;
      this.pending = [];
      this.gathered = 0;
      for (let attempt = 0, since = Date.now(); ; attempt++) {
        try {
          await this.append(burst);
          break;
        } catch (err) {
          // Out of descriptors (a burst of clients holds them): waited out, as --save-dir does,
          // while the upload's socket is paused; any other failure ends the spool.
          if (!isOutOfDescriptors(err) || Date.now() - since > OPEN_PATIENCE_MS || this.gone) return this.stop((err as NodeJS.ErrnoException).code ?? (err as Error).message);
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 10 * 2 ** Math.min(attempt, 7))));
        }
      }
      this.held -= bytes;
    }
  }

  /** One burst: open (create the first time), writev until all is written, close. Only the
   * open can fail with EMFILE, before any byte of the burst is written, so a retry writes none
   * twice. */
  private async append(burst: Buffer[]): Promise<void> {
    const fh = await fsp.open(this.path, this.created ? 'a' : 'wx');
    this.created = true;
    try {
      let rest = burst;
      while (rest.length > 0) {
        const { bytesWritten } = await fh.writev(rest);
        this.written += bytesWritten;
        rest = after(rest, bytesWritten);
      }
    } finally {
      await fh.close();
    }
  }
}

/** What of `list` is left after its first `n` bytes (a short write). */
function after(list: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < list.length && n >= list[i]!.length) n -= list[i++]!.length;
  if (i === list.length) return [];
  const rest = list.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}
