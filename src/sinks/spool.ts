// The bytes of one connection waiting for their turn in `--raw` / `-o` (RawSink keeps each
// connection's bytes together): in memory while both its own limit and the budget shared by all
// waiting connections (spool-budget.ts) allow, then in a temporary file, so connections stuck
// behind a long one cost bounded memory whatever they send. Read back in order when their turn
// comes. If the temporary file fails (disk full), no byte is dropped: the bytes are held in
// memory after what the file holds, `failure` says why, and RawSink pauses the senders while
// that puts the budget over; `retry()` (on the next bytes, or RawSink's timer) moves them to
// the file once it takes them again. Order is always: `head` (memory), the file, `tail`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { SpoolBudget } from './spool-budget.js';

/** In memory per waiting connection before it goes to a temporary file. */
export const SPOOL_MEMORY_BYTES = 4 * 1024 * 1024;
const READ_PIECE = 1024 * 1024;

/** A temporary file as the spool uses it; injectable so tests can make it fail like a full disk. */
export interface SpillFile {
  /** Writes `len` bytes of `b` from `off` at file position `pos`; returns how many were written.
   * Throws when the disk refuses (ENOSPC, EIO). */
  write(b: Buffer, off: number, len: number, pos: number): number;
  read(buf: Buffer, pos: number): number;
  close(): void;
}

export type OpenSpillFile = () => SpillFile;

export interface SpoolOptions {
  /** Shared by every spool of one sink; a spool alone gets its own. */
  budget?: SpoolBudget;
  openFile?: OpenSpillFile;
}

export class Spool {
  private head: Buffer[] = [];
  private tail: Buffer[] = [];
  private headBytes = 0;
  private tailBytes = 0;
  private file: SpillFile | undefined;
  private fileBytes = 0;
  private readonly budget: SpoolBudget;
  private readonly openFile: OpenSpillFile;
  /** Why bytes are held in memory beyond the limits (the temporary file failed): an error
   * code such as ENOSPC; undefined while spilling works. */
  failure: string | undefined;

  constructor(private readonly limit = SPOOL_MEMORY_BYTES, readonly dir = os.tmpdir(), opts: SpoolOptions = {}) {
    this.budget = opts.budget ?? new SpoolBudget();
    this.openFile = opts.openFile ?? (() => tempSpillFile(dir));
  }

  /** Bytes waiting, in memory and on disk. */
  get size(): number {
    return this.headBytes + this.fileBytes + this.tailBytes;
  }

  /** Bytes waiting in memory. */
  get inMemory(): number {
    return this.headBytes + this.tailBytes;
  }

  add(b: Buffer): void {
    if (b.length === 0) return;
    if (this.failure) this.retry();
    if (!this.failure && !this.file && this.headBytes + b.length <= this.limit && this.budget.fits(b.length)) {
      this.keep(b);
      return;
    }
    const n = this.failure ? 0 : this.toFile(b);
    if (n < b.length) this.keep(b.subarray(n));
  }

  /** After a failure: moves what memory holds beyond the file into it, in order (before any
   * file exists, `head` is that: the new file starts with it). Stops at the first error. */
  retry(): void {
    if (!this.failure) return;
    this.failure = undefined;
    const fromHead = !this.file;
    const list = fromHead ? this.head : this.tail;
    while (list.length) {
      const b = list[0]!;
      const n = this.toFile(b);
      this.release(fromHead, n);
      if (n < b.length) {
        list[0] = b.subarray(n);
        break;
      }
      list.shift();
    }
    if (fromHead && this.file && this.head.length) {
      // The file now holds the start of `head`: the rest comes after the file.
      this.tail = this.head;
      this.tailBytes = this.headBytes;
      this.head = [];
      this.headBytes = 0;
    }
  }

  /** Hands every byte, in order, to `write`, and releases the file. */
  drain(write: (b: Buffer) => void): void {
    const head = this.head;
    const tail = this.tail;
    this.head = [];
    this.tail = [];
    this.budget.give(this.headBytes + this.tailBytes);
    this.headBytes = this.tailBytes = 0;
    for (const b of head) write(b);
    if (this.file) {
      for (let pos = 0; pos < this.fileBytes;) {
        const buf = Buffer.allocUnsafe(Math.min(READ_PIECE, this.fileBytes - pos));
        const n = this.file.read(buf, pos);
        if (n === 0) break;
        pos += n;
        write(n === buf.length ? buf : buf.subarray(0, n));
      }
    }
    for (const b of tail) write(b);
    this.dispose();
  }

  dispose(): void {
    try {
      this.file?.close();
    } catch { /* already gone */ }
    this.file = undefined;
    this.fileBytes = 0;
    this.budget.give(this.headBytes + this.tailBytes);
    this.head = [];
    this.tail = [];
    this.headBytes = this.tailBytes = 0;
    this.failure = undefined;
  }

  /** Appends to the file (opening it first); returns the bytes written before any error. */
  private toFile(b: Buffer): number {
    let off = 0;
    try {
      this.file ??= this.openFile();
      while (off < b.length) {
        const n = this.file.write(b, off, b.length - off, this.fileBytes);
        off += n;
        this.fileBytes += n;
      }
    } catch (err) {
      this.failure = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    return off;
  }

  /** In memory, after everything before it: before a file exists that is `head`, else `tail`. */
  private keep(b: Buffer): void {
    this.budget.take(b.length);
    if (this.file) {
      this.tail.push(b);
      this.tailBytes += b.length;
    } else {
      this.head.push(b);
      this.headBytes += b.length;
    }
  }

  private release(fromHead: boolean, n: number): void {
    if (fromHead) this.headBytes -= n;
    else this.tailBytes -= n;
    this.budget.give(n);
  }
}

/** A new temporary file in `dir`. */
export function tempSpillFile(dir: string): SpillFile {
  const file = path.join(dir, `wer-sniff-spool-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(file, 'wx+', 0o600);
  // POSIX: unlink at once, so nothing is left behind even after kill -9. Windows cannot
  // unlink an open file; there it goes at close().
  const unlinked = process.platform !== 'win32';
  if (unlinked) fs.unlinkSync(file);
  return {
    write: (b, off, len, pos) => fs.writeSync(fd, b, off, len, pos),
    read: (buf, pos) => fs.readSync(fd, buf, 0, buf.length, pos),
    close() {
      fs.closeSync(fd);
      if (!unlinked) fs.rm(file, { force: true }, () => {});
    },
  };
}
