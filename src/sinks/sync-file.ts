// A Writable over a file that writes synchronously, like nc writing its capture: each chunk
// goes straight into the page cache with write(2). Measured on the capture benchmark, async
// fs.WriteStream kept the socket paused while chunks queued for the thread pool; a plain
// write is faster and gives natural backpressure (a slow disk slows the reads, not memory).
import fs from 'node:fs';
import { Writable } from 'node:stream';

export class SyncFileStream extends Writable {
  private fd: number | undefined;

  /** Opens (creates, truncates or appends) at once: a bad path throws here, not later. */
  constructor(readonly path: string, append = false) {
    super({ highWaterMark: 1024 * 1024 });
    this.fd = fs.openSync(path, append ? 'a' : 'w');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      this.writeAll(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.closeFd(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.closeFd((e) => cb(err ?? e));
  }

  private writeAll(chunk: Buffer): void {
    for (let off = 0; off < chunk.length;) off += fs.writeSync(this.fd!, chunk, off);
  }

  private closeFd(cb: (err?: Error | null) => void): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return cb();
    fs.close(fd, (err) => cb(err));
  }
}
