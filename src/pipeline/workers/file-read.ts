// Ranged reads of a file by descriptor, synchronous: for the CAB worker thread (a spooled
// upload's CFDATA blocks, an extracted minidump's streams), never for a thread that serves
// sockets.
import fs from 'node:fs';
import type { CabSource } from '../../domain/cab/cab-source.js';
import { PagedBytes } from '../../domain/minidump/minidump.js';

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

/** An open file, its size taken once: the cabinet as received. */
export function fileSource(fd: number): CabSource {
  const length = fs.fstatSync(fd).size;
  return { length, read: (pos, len) => readAt(fd, pos, Math.min(len, length - pos)) };
}

/** A minidump on disk, read only where its directory points (see PagedBytes). */
export function pagedFile(fd: number): PagedBytes {
  return new PagedBytes(fs.fstatSync(fd).size, (pos, len) => readAt(fd, pos, len));
}
