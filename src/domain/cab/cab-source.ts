// A cabinet's bytes as ranged reads: a Buffer in memory, or a file the caller reads (the
// upload spooled to disk, see pipeline/workers/cab-spool.ts), so a CAB far larger than memory
// should hold is listed from its directory and extracted block by block. Pure: the caller
// hands in the read function; nothing here touches fs.
import { CAB_MAX_NAME, CFFILE_SIZE, CFFOLDER_SIZE, CFHEADER_SIZE, parseCab, type Cab } from './cab.js';

export interface CabSource {
  /** Bytes in the cabinet as received. */
  readonly length: number;
  /** Bytes [pos, pos+len) clipped to `length`; the result may be shorter near the end. The
   * result may be a view of the source's memory, valid until the next read, or a fresh buffer:
   * copy it to keep it. */
  read(pos: number, len: number): Buffer;
}

export function bufferSource(buf: Buffer): CabSource {
  return { length: buf.length, read: (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)) };
}

export function isCabSource(x: Buffer | CabSource): x is CabSource {
  return !Buffer.isBuffer(x);
}

/** The most a cabinet's directory can span (header, reserves, four names, 65,535 folders of
 * 255 reserve bytes) before coffFiles. */
const MAX_NAME_FIELD = CAB_MAX_NAME + 1;

/** How many of a cabinet's first bytes hold its whole directory (CFHEADER, CFFOLDERs, CFFILEs),
 * from its first CFHEADER_SIZE bytes: parseCab on that prefix lists everything. An upper bound
 * (names are taken at their longest), never more than the bytes received. */
export function cabDirectoryLength(first: Buffer, total: number): number {
  if (first.length < CFHEADER_SIZE) return Math.min(total, CFHEADER_SIZE);
  const coffFiles = first.readUInt32LE(16);
  const cFolders = first.readUInt16LE(26), cFiles = first.readUInt16LE(28);
  const header = CFHEADER_SIZE + 4 + 0xffff + 4 * MAX_NAME_FIELD + cFolders * (CFFOLDER_SIZE + 0xff);
  const files = coffFiles + cFiles * (CFFILE_SIZE + MAX_NAME_FIELD);
  return Math.min(total, Math.max(header, files));
}

/** Lists the cabinet `src` holds from its directory alone (no CFDATA is read). */
export function parseCabSource(src: Buffer | CabSource): Cab {
  if (!isCabSource(src)) return parseCab(src);
  const dirLength = cabDirectoryLength(src.read(0, CFHEADER_SIZE), src.length);
  return parseCab(Buffer.from(src.read(0, dirLength)), src.length);
}
