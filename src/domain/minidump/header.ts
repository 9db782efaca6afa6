// MINIDUMP_HEADER and the stream directory. The directory is walked only as far as the buffer
// goes (never by the claimed NumberOfStreams alone); the first MINIDUMP_CAPS.streams entries
// are listed and the first entry of each known stream type is remembered for the decoders.
import type { DumpReader } from './reader.js';
import {
  DIRECTORY_SIZE, HEADER_SIZE, MINIDUMP_CAPS, MINIDUMP_SIGNATURE, MINIDUMP_VERSION, STREAM_NAMES,
  count, hex, isoTime, type MinidumpHeader, type MinidumpStream,
} from './types.js';

/** MINIDUMP_TYPE bits 0x1..0x800000, in bit order (MiniDumpNormal is 0). */
const DUMP_FLAGS = ['WithDataSegs', 'WithFullMemory', 'WithHandleData', 'FilterMemory', 'ScanMemory',
  'WithUnloadedModules', 'WithIndirectlyReferencedMemory', 'FilterModulePaths',
  'WithProcessThreadData', 'WithPrivateReadWriteMemory', 'WithoutOptionalData',
  'WithFullMemoryInfo', 'WithThreadInfo', 'WithCodeSegs', 'WithoutAuxiliaryState',
  'WithFullAuxiliaryState', 'WithPrivateWriteCopyMemory', 'IgnoreInaccessibleMemory',
  'WithTokenInformation', 'WithModuleHeaders', 'FilterTriage', 'WithAvxXStateContext',
  'WithIptTrace', 'ScanInaccessiblePartialPages'].map((n) => `MiniDump${n}`);

export function readHeader(r: DumpReader): MinidumpHeader | undefined {
  const buf = r.buf;
  if (buf.length < 4 || buf.readUInt32LE(0) !== MINIDUMP_SIGNATURE) {
    r.problem('not-a-minidump', 'not a minidump: the first bytes are not "MDMP"', 0);
    return undefined;
  }
  if (!r.fits(0, HEADER_SIZE, 'MINIDUMP_HEADER')) return undefined;
  const version = buf.readUInt32LE(4);
  const flags = buf.readBigUInt64LE(24);
  const flagNames = DUMP_FLAGS.filter((_, i) => (flags >> BigInt(i)) & 1n);
  const unknownFlags = flags & ~((1n << BigInt(DUMP_FLAGS.length)) - 1n);
  if (unknownFlags) flagNames.push(hex(unknownFlags));
  const h: MinidumpHeader = {
    version: version & 0xffff, implementation: version >>> 16, streams: buf.readUInt32LE(8),
    directoryRva: buf.readUInt32LE(12), checksum: buf.readUInt32LE(16),
    timeDateStamp: buf.readUInt32LE(20), time: isoTime(buf.readUInt32LE(20)), flags: hex(flags), flagNames,
  };
  if (h.version !== MINIDUMP_VERSION) r.problem('unexpected-version', `MINIDUMP_VERSION is ${hex(h.version)}, expected 0xa793`, 4);
  return h;
}

export interface Directory {
  /** Listed entries (capped). */
  listed: MinidumpStream[];
  /** First entry of each known stream type. */
  found: Map<number, MinidumpStream>;
}

/** MINIDUMP_DIRECTORY entries: {StreamType, Location {DataSize, Rva}}. */
export function readDirectory(r: DumpReader, h: MinidumpHeader): Directory {
  const buf = r.buf;
  const listed: MinidumpStream[] = [];
  const found = new Map<number, MinidumpStream>();
  let i = 0;
  for (; i < h.streams; i++) {
    const at = h.directoryRva + i * DIRECTORY_SIZE;
    if (!r.fits(at, DIRECTORY_SIZE, `stream directory entry ${i} of ${h.streams}`)) break;
    const type = buf.readUInt32LE(at);
    const known = STREAM_NAMES.get(type);
    if (i >= MINIDUMP_CAPS.streams && (!known || found.has(type))) continue;
    const s = { type, name: known ?? hex(type), size: buf.readUInt32LE(at + 4), rva: buf.readUInt32LE(at + 8) };
    if (i < MINIDUMP_CAPS.streams) listed.push(s);
    if (known && !found.has(type)) found.set(type, s);
  }
  if (i > MINIDUMP_CAPS.streams) r.problem('capped', `the directory holds ${count(i)} streams; the first ${count(MINIDUMP_CAPS.streams)} are listed`, h.directoryRva);
  return { listed, found };
}

/** The stream of `type` when it is present, at least `min` bytes and inside the buffer. */
export function streamOf(r: DumpReader, dir: Directory, type: number, min: number): MinidumpStream | undefined {
  const s = dir.found.get(type);
  if (!s) return undefined;
  if (s.size < min) {
    r.problem('stream-too-small', `${s.name} is ${s.size} bytes, needs at least ${min}`, s.rva);
    return undefined;
  }
  return r.fits(s.rva, min, s.name) ? s : undefined;
}
