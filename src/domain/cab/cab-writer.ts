// Builds a single-cabinet, single-folder MS-CAB ([MS-CAB] §2.1–§2.4) with stored, MSZIP
// ([MS-MCI]) or LZX (lzx-encoder.ts) data and filled-in CFDATA checksums — the level-2 upload our
// `simulate` sends. Deliberately no Quantum, no multi-cabinet sets, no reserve areas and no clock: a file
// without `date` gets the DOS epoch 1980-01-01 00:00:00.
import {
  cabChecksum, ATTR_NAME_IS_UTF, CAB_MAX_NAME, CAB_SIGNATURE, CFDATA_SIZE, CFFILE_SIZE,
  CFFOLDER_SIZE, CFHEADER_SIZE,
} from './cab.js';
import { deflateMszipBlock, MSZIP_BLOCK } from './mszip.js';
import { lzxCompressFolder, type LzxEncodeOptions } from './lzx/lzx-encoder.js';

export interface CabInputFile {
  /** Stored as given; use `\` to make folders. */
  name: string;
  data: Buffer;
  /** Written as its UTC wall-clock time (CAB has no zone), 2-second resolution. */
  date?: Date;
  /** [MS-CAB] §2.3 attribs; default 0x20 (archive). 0x80 is added for non-ASCII names. */
  attribs?: number;
}

export type CabCompressionName = 'none' | 'mszip' | 'lzx';
export const CAB_COMPRESSIONS: readonly CabCompressionName[] = ['none', 'mszip', 'lzx'];

export interface CabWriteOptions {
  compression: CabCompressionName;
  /** LZX only: window (default 2^21) and encoder choices; see LzxEncodeOptions. */
  lzx?: Partial<LzxEncodeOptions>;
  /** [MS-CAB] §2.1 setID; default 0. */
  setID?: number;
}

/** [MS-CAB] §2.2: a folder's uncompressed stream is limited to 0x7FFF8000 bytes. */
const MAX_FOLDER_BYTES = 0x7fff8000;
const MAX_CFDATA = 0xffff;

/** [MS-CAB] §2.3 date/time fields from the UTC wall clock, clamped to 1980..2107. */
export function encodeDosDateTime(d: Date): { date: number; time: number } {
  const year = d.getUTCFullYear();
  if (year < 1980 || Number.isNaN(year)) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/** Splits the folder stream into CFDATA payloads of ≤ 32 KiB uncompressed each. */
function makeBlocks(stream: Buffer, opts: CabWriteOptions): { payload: Buffer; size: number }[] {
  if (opts.compression === 'lzx') return lzxCompressFolder(stream, { ...opts.lzx, windowBits: lzxWindowBits(opts) });
  const mszip = opts.compression === 'mszip';
  const blocks: { payload: Buffer; size: number }[] = [];
  for (let off = 0; off < stream.length; off += MSZIP_BLOCK) {
    const chunk = stream.subarray(off, off + MSZIP_BLOCK);
    // [MS-MCI] §2: the previous 32 KiB of output is the history for back-references.
    const payload = mszip ? deflateMszipBlock(chunk, stream.subarray(Math.max(0, off - MSZIP_BLOCK), off)) : chunk;
    blocks.push({ payload, size: chunk.length });
  }
  return blocks;
}

function lzxWindowBits(opts: CabWriteOptions): number {
  return opts.lzx?.windowBits ?? 21;
}

/** [MS-CAB] §2.2 typeCompress: 0 none, 1 MSZIP, 3 | window bits << 8 for LZX. */
function typeCompress(opts: CabWriteOptions): number {
  if (opts.compression === 'lzx') return 3 | (lzxWindowBits(opts) << 8);
  return opts.compression === 'mszip' ? 1 : 0;
}

export function writeCab(files: CabInputFile[], opts: CabWriteOptions): Buffer {
  const stream = Buffer.concat(files.map((f) => f.data));
  if (stream.length > MAX_FOLDER_BYTES) throw new RangeError(`${stream.length} bytes exceed one CAB folder`);
  // libmspack (cabextract) rejects a cabinet without files, so we never make one.
  if (files.length === 0 || files.length > 0xffff) throw new RangeError(`a cabinet holds 1–65535 files, not ${files.length}`);
  const blocks = makeBlocks(stream, opts);
  if (blocks.length > MAX_CFDATA) throw new RangeError(`${blocks.length} CFDATA blocks exceed one folder`);

  // §2.3 CFFILE records.
  const records: Buffer[] = [];
  let uoff = 0;
  for (const f of files) {
    const ascii = /^[\x01-\x7f]*$/.test(f.name);
    const name = Buffer.from(f.name, ascii ? 'latin1' : 'utf8');
    if (name.length === 0 || name.length > CAB_MAX_NAME || name.includes(0)) {
      throw new RangeError(`CAB file name must be 1–${CAB_MAX_NAME} bytes without NUL: ${JSON.stringify(f.name)}`);
    }
    const { date, time } = encodeDosDateTime(f.date ?? new Date(Date.UTC(1980, 0, 1)));
    const rec = Buffer.alloc(CFFILE_SIZE + name.length + 1);
    rec.writeUInt32LE(f.data.length, 0);
    rec.writeUInt32LE(uoff, 4);
    rec.writeUInt16LE(0, 8); // iFolder: the one folder
    rec.writeUInt16LE(date, 10);
    rec.writeUInt16LE(time, 12);
    rec.writeUInt16LE(((f.attribs ?? 0x20) | (ascii ? 0 : ATTR_NAME_IS_UTF)) & 0xffff, 14);
    name.copy(rec, CFFILE_SIZE);
    records.push(rec);
    uoff += f.data.length;
  }

  // §2.4 CFDATA: csum covers the payload, then cbData+cbUncomp.
  const data: Buffer[] = blocks.map(({ payload, size }) => {
    const b = Buffer.alloc(CFDATA_SIZE + payload.length);
    b.writeUInt16LE(payload.length, 4);
    b.writeUInt16LE(size, 6);
    b.writeUInt32LE(cabChecksum(b.subarray(4, 8), cabChecksum(payload)), 0);
    payload.copy(b, CFDATA_SIZE);
    return b;
  });

  const coffFiles = CFHEADER_SIZE + CFFOLDER_SIZE;
  const coffCabStart = coffFiles + records.reduce((n, r) => n + r.length, 0);
  const total = coffCabStart + data.reduce((n, b) => n + b.length, 0);

  // §2.1 CFHEADER and §2.2 CFFOLDER.
  const head = Buffer.alloc(CFHEADER_SIZE + CFFOLDER_SIZE);
  head.writeUInt32LE(CAB_SIGNATURE, 0);
  head.writeUInt32LE(total, 8);
  head.writeUInt32LE(coffFiles, 16);
  head[24] = 3; // versionMinor
  head[25] = 1; // versionMajor
  head.writeUInt16LE(1, 26); // cFolders
  head.writeUInt16LE(files.length, 28);
  head.writeUInt16LE(0, 30); // flags: no set, no reserve
  head.writeUInt16LE((opts.setID ?? 0) & 0xffff, 32);
  head.writeUInt16LE(0, 34); // iCabinet
  head.writeUInt32LE(coffCabStart, CFHEADER_SIZE);
  head.writeUInt16LE(blocks.length, CFHEADER_SIZE + 4);
  head.writeUInt16LE(typeCompress(opts), CFHEADER_SIZE + 6);
  return Buffer.concat([head, ...records, ...data], total);
}
