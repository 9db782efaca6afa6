// Builds the red-team "name amplification" minidump: `modules` MINIDUMP_MODULE records whose
// ModuleNameRva all point at one shared MINIDUMP_STRING of `nameBytes` bytes (64 KiB by
// default, the largest a reader accepts). 160,000 records are 17 MB of dump that inflate, when
// every name is decoded, to 10 GB of text; in an MSZIP CAB the whole thing is about 437 KB.
// Written byte by byte (writeMinidump gives every module its own string).
import {
  DIRECTORY_SIZE, EXCEPTION_STREAM_SIZE, HEADER_SIZE, MINIDUMP_SIGNATURE, MINIDUMP_VERSION,
  MODULE_SIZE, STREAM, SYSTEM_INFO_SIZE, THREAD_SIZE,
} from '../../src/domain/minidump/minidump.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';

export interface AmplifiedDumpOptions {
  modules?: number;
  /** Length field of the shared MINIDUMP_STRING, in bytes (even). */
  nameBytes?: number;
  /** Module base addresses: each record gets base + i * 0x10000, size 0x10000. */
  base?: bigint;
  /** Distinct, overlapping names instead of one: record i points 4*i bytes into the string
   * area, which is filled with u32 0x8000 words, so every RVA reads as a 32 KiB string. */
  overlap?: boolean;
}

export const AMPLIFIED_MODULES = 160_000;

export function amplifiedMinidump(opts: AmplifiedDumpOptions = {}): Buffer {
  const n = opts.modules ?? AMPLIFIED_MODULES;
  const nameBytes = opts.nameBytes ?? 0x10000;
  const base = opts.base ?? 0x10000000n;
  const dirRva = HEADER_SIZE;
  const siRva = dirRva + 4 * DIRECTORY_SIZE;
  const exRva = siRva + SYSTEM_INFO_SIZE;
  const tlRva = exRva + EXCEPTION_STREAM_SIZE;
  const mlRva = tlRva + 4 + THREAD_SIZE;
  const nameRva = mlRva + 4 + n * MODULE_SIZE;
  const buf = Buffer.alloc(nameRva + 4 + nameBytes + 2);

  buf.writeUInt32LE(MINIDUMP_SIGNATURE, 0);
  buf.writeUInt32LE(MINIDUMP_VERSION, 4);
  buf.writeUInt32LE(4, 8);
  buf.writeUInt32LE(dirRva, 12);
  buf.writeUInt32LE(1710351931, 20);
  const dir = [
    [STREAM.SystemInfo, SYSTEM_INFO_SIZE, siRva],
    [STREAM.Exception, EXCEPTION_STREAM_SIZE, exRva],
    [STREAM.ThreadList, 4 + THREAD_SIZE, tlRva],
    [STREAM.ModuleList, 4 + n * MODULE_SIZE, mlRva],
  ];
  dir.forEach(([type, size, rva], i) => {
    buf.writeUInt32LE(type!, dirRva + i * DIRECTORY_SIZE);
    buf.writeUInt32LE(size!, dirRva + i * DIRECTORY_SIZE + 4);
    buf.writeUInt32LE(rva!, dirRva + i * DIRECTORY_SIZE + 8);
  });
  buf.writeUInt16LE(9, siRva); // AMD64
  buf[siRva + 6] = 4;
  buf[siRva + 7] = 1;
  buf.writeUInt32LE(10, siRva + 8);
  buf.writeUInt32LE(19045, siRva + 16);
  buf.writeUInt32LE(2, siRva + 20);
  // The exception lands in the last module, so a reader that keeps only the first few still
  // has to find it among all the records.
  buf.writeUInt32LE(7, exRva);
  buf.writeUInt32LE(0xc0000005, exRva + 8);
  buf.writeBigUInt64LE(base + BigInt(n - 1) * 0x10000n + 0x1234n, exRva + 24);
  buf.writeUInt32LE(1, tlRva);
  buf.writeUInt32LE(7, tlRva + 4);

  buf.writeUInt32LE(n, mlRva);
  for (let i = 0; i < n; i++) {
    const o = mlRva + 4 + i * MODULE_SIZE;
    buf.writeBigUInt64LE(base + BigInt(i) * 0x10000n, o);
    buf.writeUInt32LE(0x10000, o + 8);
    buf.writeUInt32LE(0x65f1a2b3, o + 16);
    buf.writeUInt32LE(opts.overlap ? nameRva + 4 * (i % (nameBytes / 4)) : nameRva, o + 20);
  }
  buf.writeUInt32LE(nameBytes, nameRva);
  if (opts.overlap) {
    for (let p = 0; p + 4 <= nameBytes; p += 4) buf.writeUInt32LE(0x8000, nameRva + 4 + p);
    return buf;
  }
  const name = Buffer.from('C:\\amplified\\', 'utf16le');
  for (let p = 0; p < nameBytes; p += name.length) name.copy(buf, nameRva + 4 + p, 0, Math.min(name.length, nameBytes - p));
  return buf;
}

/** The dump as `memory.hdmp` in an MSZIP CAB, next to a small metadata-less text file. */
export function amplifiedCab(opts: AmplifiedDumpOptions = {}): Buffer {
  return writeCab([
    { name: 'Report.wer', data: Buffer.from('Version=1\r\nEventType=APPCRASH\r\n', 'latin1') },
    { name: 'memory.hdmp', data: amplifiedMinidump(opts) },
  ], { compression: 'mszip' });
}
