// Ranged reads of a file by descriptor, synchronous: for the CAB worker thread (a spooled
// upload's CFDATA blocks, an extracted minidump's streams), never for a thread that serves
// sockets. Opens there wait out a full descriptor table (openWaiting).
import fs from 'node:fs';
import type { CabSource } from '../../domain/cab/cab-source.js';
import { PagedBytes } from '../../domain/minidump/minidump.js';
import { isOutOfDescriptors } from '../../util/descriptors.js';

/** How long an open waits in all while the process is out of file descriptors: a burst of
 * clients holds them until their reports are answered, and the sockets close long before
 * this. The spooled upload's bursts (cab-spool.ts) wait as long. */
export const OPEN_PATIENCE_MS = 60_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** openSync that waits (blocking this thread: the CAB worker, or a command with no sockets)
 * while EMFILE/ENFILE last, retrying after 5 ms doubling to 200 ms, then throws the error. */
export function openWaiting(file: string, flags: string, patienceMs = OPEN_PATIENCE_MS): number {
  const started = Date.now();
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return fs.openSync(file, flags);
    } catch (err) {
      if (!isOutOfDescriptors(err) || Date.now() - started > patienceMs) throw err;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}

/** Up to `len` bytes at `pos` (fewer only at the end of the file), in a fresh buffer. */
export function readAt(fd: number, pos: number, len: number): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, len));
  let n = 0;
  while (n < out.length) {
    const got = fs.readSync(fd, out, n, out.length - n, pos + n);
    if (got === 0) break;
    n += got;
  }
  return n === out.length ? out : out.subarray(0, n);
}

/** Bytes read at once by fileSource: CFDATA blocks (a few KB to 32 KiB each) are read in
 * order, so one read serves dozens of them instead of two reads (and a fresh buffer) each. */
const READ_AHEAD = 1024 * 1024;

/** An open file, its size taken once: the cabinet as received. Reads of up to READ_AHEAD bytes
 * are views into one buffer that the next read may overwrite (CabSource allows that). */
export function fileSource(fd: number): CabSource {
  const length = fs.fstatSync(fd).size;
  let ahead: Buffer | undefined;
  let start = 0, have = 0; // ahead[0, have) holds the file's bytes [start, start + have)
  return {
    length,
    read(pos, len) {
      const n = Math.max(0, Math.min(len, length - pos));
      if (pos >= start && pos + n <= start + have) return ahead!.subarray(pos - start, pos - start + n);
      if (n > READ_AHEAD) return readAt(fd, pos, n);
      ahead ??= Buffer.allocUnsafe(READ_AHEAD);
      have = 0;
      while (have < READ_AHEAD && pos + have < length) {
        const got = fs.readSync(fd, ahead, have, Math.min(READ_AHEAD, length - pos) - have, pos + have);
        if (got === 0) break;
        have += got;
      }
      start = pos;
      return ahead.subarray(0, Math.min(n, have));
    },
  };
}

/** A minidump on disk, read only where its directory points (see PagedBytes). */
export function pagedFile(fd: number): PagedBytes {
  return new PagedBytes(fs.fstatSync(fd).size, (pos, len) => readAt(fd, pos, len));
}
