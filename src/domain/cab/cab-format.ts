// The Microsoft cabinet format ([MS-CAB] §2): the structures a listing returns (header,
// folders, files, problems), the on-disk sizes, flags and limits, and the field decoders
// (compression type, DOS date/time) and CFDATA checksum (§2.4) that the lister, extractor and
// writer share. Pure.

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
export const MAX_CAB_STRING = 256;

export const CAB_FLAG_PREV = 0x0001;
export const CAB_FLAG_NEXT = 0x0002;
export const CAB_FLAG_RESERVE = 0x0004;

export const IFOLD_CONTINUED_FROM_PREV = 0xfffd;
export const IFOLD_CONTINUED_TO_NEXT = 0xfffe;
export const IFOLD_CONTINUED_PREV_AND_NEXT = 0xffff;

export const ATTR_NAME_IS_UTF = 0x80;
export const ATTRIBUTE_NAMES: [number, string][] = [
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
