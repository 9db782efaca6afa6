// Lists a Microsoft cabinet ([MS-CAB] §2.1 CFHEADER, §2.2 CFFOLDER, §2.3 CFFILE): header,
// folders and files, plus the CFDATA checksum (§2.4) that the extractor and writer share.
// Damaged input becomes `problems`, never an exception; whatever could be read is returned.
// Deliberately does not decompress anything (cab-extract.ts) and never touches fs.
import { overlapProblems } from './cab-overlap.js';

export interface CabProblem {
  code: string;
  message: string;
  /** Byte offset in the cabinet where it was noticed, when there is one. */
  offset?: number;
}

/** [MS-CAB] §2.1 CFHEADER, every field. */
export interface CabHeader {
  reserved1: number;
  /** Total cabinet size as the header claims it. */
  cbCabinet: number;
  reserved2: number;
  coffFiles: number;
  reserved3: number;
  versionMinor: number;
  versionMajor: number;
  cFolders: number;
  cFiles: number;
  flags: number;
  /** 'prev-cabinet' | 'next-cabinet' | 'reserve-present' for the bits set. */
  flagNames: string[];
  setID: number;
  iCabinet: number;
  /** Per-structure reserve sizes (0 unless flag 0x4). */
  cbCFHeader: number;
  cbCFFolder: number;
  cbCFData: number;
  /** The abReserve bytes after the header (application defined). */
  reserve: Buffer;
  prevCabinet?: string;
  prevDisk?: string;
  nextCabinet?: string;
  nextDisk?: string;
}

export type CabMethod = 'none' | 'mszip' | 'quantum' | 'lzx' | 'unknown';

export interface CabCompression {
  method: CabMethod;
  /** LZX window size as a power of two (typeCompress bits 8–12), 15..21. */
  lzxWindowBits?: number;
  /** Quantum level (bits 4–7) and memory (bits 8–12). */
  quantumLevel?: number;
  quantumMemory?: number;
}

/** [MS-CAB] §2.2 CFFOLDER. */
export interface CabFolder {
  index: number;
  coffCabStart: number;
  cCFData: number;
  typeCompress: number;
  compression: CabCompression;
  reserve: Buffer;
}

/** [MS-CAB] §2.3 CFFILE. */
export interface CabFile {
  index: number;
  name: string;
  size: number;
  uoffFolderStart: number;
  /** Raw iFolder, including the continuation markers 0xFFFD/E/F. */
  iFolder: number;
  /** Folder the data lives in after resolving the markers (undefined when there is none). */
  folder?: number;
  continued?: 'from-prev' | 'to-next' | 'prev-and-next';
  /** DOS date/time as local wall-clock time 'YYYY-MM-DD HH:MM:SS' (CAB stores no zone). */
  date: string;
  dosDate: number;
  dosTime: number;
  attribs: number;
  /** Names of the attribute bits set, without the UTF-8 name flag (see `utf8`). */
  attributes: string[];
  /** _A_NAME_IS_UTF (0x80): the name was decoded as UTF-8, else as latin1. */
  utf8: boolean;
  /** Offset of this CFFILE record in the cabinet. */
  offset: number;
}

export interface Cab {
  /** Undefined when the signature is wrong or the header is cut short. */
  header?: CabHeader;
  folders: CabFolder[];
  files: CabFile[];
  /** Bytes actually given (compare with header.cbCabinet). */
  length: number;
  problems: CabProblem[];
}

export const CAB_SIGNATURE = 0x4643534d; // 'MSCF' little-endian
export const CFHEADER_SIZE = 36;
export const CFFOLDER_SIZE = 8;
export const CFFILE_SIZE = 16;
export const CFDATA_SIZE = 8;
/** [MS-CAB] §2.3: CB_MAX_FILENAME (name bytes, NUL excluded). */
export const CAB_MAX_NAME = 256;
/** [MS-CAB] §2.1 CB_MAX_CAB_PATH, for the prev/next cabinet and disk strings. */
const MAX_CAB_STRING = 256;

export const CAB_FLAG_PREV = 0x0001;
export const CAB_FLAG_NEXT = 0x0002;
export const CAB_FLAG_RESERVE = 0x0004;

export const IFOLD_CONTINUED_FROM_PREV = 0xfffd;
export const IFOLD_CONTINUED_TO_NEXT = 0xfffe;
export const IFOLD_CONTINUED_PREV_AND_NEXT = 0xffff;

export const ATTR_NAME_IS_UTF = 0x80;
const ATTRIBUTE_NAMES: [number, string][] = [
  [0x01, 'readonly'], [0x02, 'hidden'], [0x04, 'system'], [0x20, 'archive'], [0x40, 'exec'],
];

/** [MS-CAB] §2.2 typeCompress: low nibble = method, bits 8–12 = LZX window / Quantum memory. */
export function decodeTypeCompress(type: number): CabCompression {
  switch (type & 0x000f) {
    case 0: return { method: 'none' };
    case 1: return { method: 'mszip' };
    case 2: return { method: 'quantum', quantumLevel: (type >> 4) & 0x0f, quantumMemory: (type >> 8) & 0x1f };
    case 3: return { method: 'lzx', lzxWindowBits: (type >> 8) & 0x1f };
    default: return { method: 'unknown' };
  }
}

/** [MS-CAB] §2.3 date = ((year-1980)<<9)|(month<<5)|day, time = (h<<11)|(min<<5)|(sec/2). */
export function decodeDosDateTime(date: number, time: number): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const y = (date >> 9) + 1980, mo = (date >> 5) & 0x0f, d = date & 0x1f;
  const h = time >> 11, mi = (time >> 5) & 0x3f, s = (time & 0x1f) * 2;
  return `${p(y, 4)}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}`;
}

/**
 * [MS-CAB] §2.4 CFDATA csum: XOR of the data as little-endian 32-bit words; a 1–3 byte tail
 * is packed b0<<16|b1<<8|b2 (as libmspack and cab_checksum() in make-vectors.py do).
 */
export function cabChecksum(data: Uint8Array, seed = 0): number {
  let csum = seed >>> 0;
  const n4 = data.length >>> 2;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // getInt32, not getUint32: XOR gives the same bits, and int32s stay small integers (no
  // heap numbers), which made checksums of a 25 MB LZX cabinet several times faster.
  for (let i = 0; i < n4; i++) csum ^= view.getInt32(i * 4, true);
  let tail = 0;
  const t = n4 * 4;
  switch (data.length & 3) {
    case 3: tail = (data[t]! << 16) | (data[t + 1]! << 8) | data[t + 2]!; break;
    case 2: tail = (data[t]! << 8) | data[t + 1]!; break;
    case 1: tail = data[t]!; break;
  }
  return (csum ^ tail) >>> 0;
}

/** Reads a NUL-terminated string of at most `max` bytes; undefined if no NUL in range. */
function readZ(buf: Buffer, pos: number, max: number): { bytes: Buffer; end: number } | undefined {
  const limit = Math.min(buf.length, pos + max + 1);
  // Search only up to the limit: from `pos` to the end would make a cabinet with 65,535
  // file records and few NULs quadratic.
  const at = pos < limit ? buf.subarray(pos, limit).indexOf(0) : -1;
  if (at < 0) return undefined;
  const nul = pos + at;
  return { bytes: buf.subarray(pos, nul), end: nul + 1 };
}

/** `total`: the cabinet's real length when `buf` is only its beginning (the directory part,
 * see cab-source.ts: the CFDATA blocks are read from a file later). */
export function parseCab(buf: Buffer, total = buf.length): Cab {
  const cab: Cab = { folders: [], files: [], length: total, problems: [] };
  const problem = (code: string, message: string, offset?: number): void => {
    cab.problems.push(offset === undefined ? { code, message } : { code, message, offset });
  };
  if (buf.length < 4 || buf.readUInt32LE(0) !== CAB_SIGNATURE) {
    problem('not-a-cab', 'not a cabinet: the first bytes are not "MSCF"', 0);
    return cab;
  }
  if (buf.length < CFHEADER_SIZE) {
    problem('truncated', `cabinet header cut short: ${buf.length} of ${CFHEADER_SIZE} bytes`, buf.length);
    return cab;
  }
  // §2.1 CFHEADER fixed part.
  const flags = buf.readUInt16LE(30);
  const h: CabHeader = {
    reserved1: buf.readUInt32LE(4), cbCabinet: buf.readUInt32LE(8), reserved2: buf.readUInt32LE(12),
    coffFiles: buf.readUInt32LE(16), reserved3: buf.readUInt32LE(20),
    versionMinor: buf[24]!, versionMajor: buf[25]!,
    cFolders: buf.readUInt16LE(26), cFiles: buf.readUInt16LE(28), flags,
    flagNames: [], setID: buf.readUInt16LE(32), iCabinet: buf.readUInt16LE(34),
    cbCFHeader: 0, cbCFFolder: 0, cbCFData: 0, reserve: Buffer.alloc(0),
  };
  if (flags & CAB_FLAG_PREV) h.flagNames.push('prev-cabinet');
  if (flags & CAB_FLAG_NEXT) h.flagNames.push('next-cabinet');
  if (flags & CAB_FLAG_RESERVE) h.flagNames.push('reserve-present');
  cab.header = h;

  if (h.cbCabinet !== total) {
    const why = h.cbCabinet > total
      ? `only ${total} were received (truncated)`
      : `${total - h.cbCabinet} extra bytes follow it`;
    problem('size-mismatch', `cbCabinet says ${h.cbCabinet} bytes but ${why}`, 8);
  }
  if (h.versionMajor !== 1 || h.versionMinor !== 3) {
    problem('unexpected-version', `cabinet version ${h.versionMajor}.${h.versionMinor} (expected 1.3)`, 24);
  }

  let pos = CFHEADER_SIZE;
  // §2.1: cbCFHeader/cbCFFolder/cbCFData and abReserve only when RESERVE_PRESENT.
  if (flags & CAB_FLAG_RESERVE) {
    if (buf.length < pos + 4) {
      problem('truncated', 'cabinet ends inside the reserve sizes', buf.length);
      return cab;
    }
    h.cbCFHeader = buf.readUInt16LE(pos);
    h.cbCFFolder = buf[pos + 2]!;
    h.cbCFData = buf[pos + 3]!;
    pos += 4;
    if (buf.length < pos + h.cbCFHeader) {
      problem('truncated', `cabinet ends inside the ${h.cbCFHeader}-byte header reserve`, buf.length);
      return cab;
    }
    h.reserve = Buffer.from(buf.subarray(pos, pos + h.cbCFHeader));
    pos += h.cbCFHeader;
  }
  // §2.1 szCabinetPrev/szDiskPrev, szCabinetNext/szDiskNext (NUL-terminated).
  const names: [number, 'prevCabinet' | 'nextCabinet', 'prevDisk' | 'nextDisk'][] = [
    [CAB_FLAG_PREV, 'prevCabinet', 'prevDisk'], [CAB_FLAG_NEXT, 'nextCabinet', 'nextDisk'],
  ];
  for (const [bit, cabKey, diskKey] of names) {
    if (!(flags & bit)) continue;
    for (const key of [cabKey, diskKey]) {
      const s = readZ(buf, pos, MAX_CAB_STRING);
      if (!s) {
        problem('truncated', `cabinet ends inside ${key}`, pos);
        return cab;
      }
      h[key] = s.bytes.toString('latin1');
      pos = s.end;
    }
  }
  if (flags & (CAB_FLAG_PREV | CAB_FLAG_NEXT)) {
    const set = [h.prevCabinet !== undefined ? `previous: ${h.prevCabinet}` : '',
      h.nextCabinet !== undefined ? `next: ${h.nextCabinet}` : ''].filter(Boolean).join(', ');
    problem('multi-cabinet', `this cabinet is part of a set (${set}); files continued from/to other cabinets cannot be extracted`);
  }

  // §2.2 CFFOLDER records follow the header.
  const folderSize = CFFOLDER_SIZE + h.cbCFFolder;
  for (let i = 0; i < h.cFolders; i++, pos += folderSize) {
    if (pos + folderSize > buf.length) {
      problem('truncated', `header lists ${h.cFolders} folders but only ${i} fit in the cabinet`, pos);
      break;
    }
    const typeCompress = buf.readUInt16LE(pos + 6);
    const f: CabFolder = {
      index: i, coffCabStart: buf.readUInt32LE(pos), cCFData: buf.readUInt16LE(pos + 4), typeCompress,
      compression: decodeTypeCompress(typeCompress),
      reserve: Buffer.from(buf.subarray(pos + CFFOLDER_SIZE, pos + folderSize)),
    };
    if (f.coffCabStart >= total && f.cCFData > 0) {
      problem('offset-out-of-range', `folder ${i} data starts at ${f.coffCabStart}, beyond the end (${total})`, pos);
    }
    if (f.compression.method === 'unknown') {
      problem('unknown-compression', `folder ${i} uses unknown compression type 0x${typeCompress.toString(16).padStart(4, '0')}`, pos + 6);
    }
    cab.folders.push(f);
  }

  // §2.3 CFFILE records at coffFiles. In the usual layout they end where CFDATA begins, so a
  // record reaching into the first folder's data means cFiles overstates the count.
  if (h.cFiles > 0 && h.coffFiles >= total) {
    problem('offset-out-of-range', `coffFiles ${h.coffFiles} is beyond the end (${total})`, 16);
    return cab;
  }
  const starts = cab.folders.map((f) => f.coffCabStart).filter((o) => o > h.coffFiles);
  // A loop, not Math.min(...starts): cFolders can be 65,535, too many call arguments.
  let fileAreaEnd = buf.length;
  for (const s of starts) if (s < fileAreaEnd) fileAreaEnd = s;
  pos = h.coffFiles;
  for (let i = 0; i < h.cFiles; i++) {
    const name = pos + CFFILE_SIZE <= fileAreaEnd ? readZ(buf, pos + CFFILE_SIZE, CAB_MAX_NAME) : undefined;
    if (!name || name.end > fileAreaEnd) {
      const where = fileAreaEnd < total ? 'before the file data begins' : 'in the cabinet';
      problem('truncated', `header lists ${h.cFiles} files but only ${i} fit ${where}`, pos);
      break;
    }
    const attribs = buf.readUInt16LE(pos + 14);
    const utf8 = (attribs & ATTR_NAME_IS_UTF) !== 0;
    const dosDate = buf.readUInt16LE(pos + 10), dosTime = buf.readUInt16LE(pos + 12);
    const iFolder = buf.readUInt16LE(pos + 8);
    const file: CabFile = {
      index: i, name: name.bytes.toString(utf8 ? 'utf8' : 'latin1'),
      size: buf.readUInt32LE(pos), uoffFolderStart: buf.readUInt32LE(pos + 4), iFolder,
      date: decodeDosDateTime(dosDate, dosTime), dosDate, dosTime, attribs,
      attributes: ATTRIBUTE_NAMES.filter(([bit]) => attribs & bit).map(([, n]) => n),
      utf8, offset: pos,
    };
    // §2.3 iFolder continuation markers: FROM_PREV/PREV_AND_NEXT live in the first folder,
    // TO_NEXT in the last one.
    if (iFolder === IFOLD_CONTINUED_FROM_PREV) file.continued = 'from-prev';
    else if (iFolder === IFOLD_CONTINUED_TO_NEXT) file.continued = 'to-next';
    else if (iFolder === IFOLD_CONTINUED_PREV_AND_NEXT) file.continued = 'prev-and-next';
    const folder = file.continued === undefined ? iFolder
      : file.continued === 'to-next' ? h.cFolders - 1 : 0;
    if (folder >= 0 && folder < h.cFolders) file.folder = folder;
    else problem('bad-folder', `file ${i} (${file.name}) refers to folder ${iFolder} but there are ${h.cFolders}`, pos + 8);
    cab.files.push(file);
    pos = name.end;
  }
  for (const p of overlapProblems(cab.files)) cab.problems.push(p);
  return cab;
}
