// The bytes of one connection waiting for their turn in `--raw` / `-o` (RawSink keeps each
// connection's bytes together): in memory up to a limit, then in a temporary file, so a
// connection stuck behind a long one costs bounded memory whatever it sends. Read back in
// order when its turn comes. If the temporary file fails (disk full), it falls back to memory
// rather than lose a byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

/** In memory per waiting connection before it goes to a temporary file. */
export const SPOOL_MEMORY_BYTES = 4 * 1024 * 1024;
const READ_PIECE = 1024 * 1024;

export class Spool {
  private mem: Buffer[] = [];
  private memBytes = 0;
  private fd: number | undefined;
  private file: string | undefined;
  private fileBytes = 0;
  /** Once the temporary file failed, everything stays in memory. */
  private memoryOnly = false;

  constructor(private readonly limit = SPOOL_MEMORY_BYTES, private readonly dir = os.tmpdir()) {}

  /** Bytes waiting, in memory and on disk. */
  get size(): number {
    return this.memBytes + this.fileBytes;
  }

  /** Bytes waiting in memory. */
  get inMemory(): number {
    return this.memBytes;
  }

  add(b: Buffer): void {
    if (b.length === 0) return;
    if (this.fd === undefined && (this.memoryOnly || this.memBytes + b.length <= this.limit)) {
      this.keep(b);
      return;
    }
    let off = 0;
    try {
      if (this.fd === undefined) this.open();
      while (off < b.length) {
        const n = fs.writeSync(this.fd!, b, off, b.length - off, this.fileBytes);
        off += n;
        this.fileBytes += n;
      }
    } catch {
      this.fallBackToMemory();
      this.keep(b.subarray(off));
    }
  }

  /** Hands every byte, in order, to `write`, and releases the file. */
  drain(write: (b: Buffer) => void): void {
    const mem = this.mem;
    this.mem = [];
    this.memBytes = 0;
    for (const b of mem) write(b);
    if (this.fd !== undefined) {
      for (let pos = 0; pos < this.fileBytes;) {
        const buf = Buffer.allocUnsafe(Math.min(READ_PIECE, this.fileBytes - pos));
        const n = fs.readSync(this.fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        write(n === buf.length ? buf : buf.subarray(0, n));
      }
    }
    this.dispose();
  }

  dispose(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch { /* already gone */ }
    }
    if (this.file) fs.rm(this.file, { force: true }, () => {});
    this.fd = undefined;
    this.file = undefined;
    this.fileBytes = 0;
  }

  private keep(b: Buffer): void {
    this.mem.push(b);
    this.memBytes += b.length;
  }

  private open(): void {
    const file = path.join(this.dir, `wer-sniff-spool-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`);
    this.fd = fs.openSync(file, 'wx+', 0o600);
    this.file = file;
    // POSIX: unlink at once, so nothing is left behind even after kill -9. Windows cannot
    // unlink an open file; there it goes in dispose().
    if (process.platform !== 'win32') {
      fs.unlinkSync(file);
      this.file = undefined;
    }
  }

  /** The file failed: bring what it holds back into memory, in order, and stay there. */
  private fallBackToMemory(): void {
    this.memoryOnly = true;
    if (this.fd === undefined) return;
    const onDisk: Buffer[] = [];
    try {
      for (let pos = 0; pos < this.fileBytes;) {
        const buf = Buffer.allocUnsafe(this.fileBytes - pos);
        const n = fs.readSync(this.fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        onDisk.push(buf.subarray(0, n));
        pos += n;
      }
    } finally {
      this.dispose();
    }
    for (const b of onDisk) this.keep(b);
  }
}
