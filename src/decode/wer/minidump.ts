// Summarises a Windows minidump (minidumpapiset.h, learn.microsoft.com MINIDUMP_* structures):
// header, stream directory, MINIDUMP_SYSTEM_INFO, MINIDUMP_EXCEPTION_STREAM, MINIDUMP_MODULE_LIST
// and the thread count. Truncation and out-of-range RVAs become `problems`, never exceptions.
// Deliberately no memory, stack, context or symbol work: this is a triage line, not a debugger.
// Exception-code and suite names come from the shared tables in names.ts.
import { EXCEPTION_CODES, SUITE_BITS } from './names.js';

export interface MinidumpProblem { code: string; message: string; offset?: number }

export interface MinidumpHeader {
  /** Low 16 bits of Version: MINIDUMP_VERSION 0xA793. */
  version: number;
  /** High 16 bits of Version (implementation specific). */
  implementation: number;
  streams: number;
  directoryRva: number;
  checksum: number;
  timeDateStamp: number;
  time: string;
  /** MINIDUMP_TYPE bits as hex ('0x...'); a u64 on disk. */
  flags: string;
  flagNames: string[];
}

export interface MinidumpStream { type: number; name: string; size: number; rva: number }

export interface MinidumpSystem {
  archCode: number;
  arch: string;
  processorLevel: number;
  processorRevision: number;
  processors: number;
  productType: number;
  productTypeName: string;
  os: { major: number; minor: number; build: number };
  platformId: number;
  platform: string;
  /** The CSDVersion string, e.g. 'Service Pack 1' (undefined when empty or absent). */
  servicePack?: string;
  suiteMask: number;
  suite: string[];
}

export interface MinidumpModule {
  name: string;
  /** BaseOfImage as '0x…'. */
  base: string;
  size: number;
  checksum: number;
  timeDateStamp: number;
  time: string;
  /** VS_FIXEDFILEINFO file version 'a.b.c.d' when the block is valid. */
  version?: string;
}

export interface MinidumpException {
  threadId: number;
  /** ExceptionCode as 8 hex digits, e.g. 'c0000005'. */
  code: string;
  codeName?: string;
  flags: number;
  address: string;
  record: string;
  parameters: string[];
  /** The module whose image contains the address. */
  module?: { name: string; offset: string };
}

export interface MinidumpSummary {
  header?: MinidumpHeader;
  streams: MinidumpStream[];
  system?: MinidumpSystem;
  exception?: MinidumpException;
  modules: MinidumpModule[];
  threadCount?: number;
  problems: MinidumpProblem[];
  /** Only the dump's first `held` of `size` bytes were given (a large dump in a CAB): what lay
   * beyond them was not read — not damage. `skipped` counts those structures. */
  partial?: { held: number; size: number; skipped: number };
}

export const MINIDUMP_SIGNATURE = 0x504d444d; // 'MDMP'
export const MINIDUMP_VERSION = 0xa793;
export const HEADER_SIZE = 32; // MINIDUMP_HEADER
export const DIRECTORY_SIZE = 12; // MINIDUMP_DIRECTORY
export const SYSTEM_INFO_SIZE = 56; // MINIDUMP_SYSTEM_INFO incl. CPU_INFORMATION (24)
export const EXCEPTION_STREAM_SIZE = 168; // MINIDUMP_EXCEPTION_STREAM
export const MODULE_SIZE = 108; // MINIDUMP_MODULE (#pragma pack(4))
export const THREAD_SIZE = 48; // MINIDUMP_THREAD
export const VS_FFI_SIGNATURE = 0xfeef04bd; // VS_FIXEDFILEINFO.dwSignature

/** MINIDUMP_STREAM_TYPE. */
export const STREAM = {
  ThreadList: 3, ModuleList: 4, MemoryList: 5, Exception: 6, SystemInfo: 7, ThreadExList: 8,
  Memory64List: 9, CommentA: 10, CommentW: 11, HandleData: 12, FunctionTable: 13,
  UnloadedModuleList: 14, MiscInfo: 15, MemoryInfoList: 16, ThreadInfoList: 17,
  HandleOperationList: 18, Token: 19, JavaScriptData: 20, SystemMemoryInfo: 21,
  ProcessVmCounters: 22, IptTrace: 23, ThreadNames: 24,
} as const;
const STREAM_NAMES = new Map<number, string>(Object.entries(STREAM).map(([n, v]) => [v, `${n}Stream`]));

/** PROCESSOR_ARCHITECTURE_* (winnt.h). */
export const ARCH_NAMES: Record<number, string> = { 0: 'x86', 5: 'ARM', 6: 'IA64', 9: 'AMD64', 12: 'ARM64', 0xffff: 'unknown' };
const PRODUCT_TYPES: Record<number, string> = { 1: 'workstation', 2: 'domain controller', 3: 'server' };
const PLATFORMS: Record<number, string> = { 0: 'Win32s', 1: 'Win32 Windows', 2: 'Win32 NT' };
/** MINIDUMP_TYPE bits 0x1..0x800000, in bit order (MiniDumpNormal is 0). */
const DUMP_FLAGS = ['WithDataSegs', 'WithFullMemory', 'WithHandleData', 'FilterMemory', 'ScanMemory',
  'WithUnloadedModules', 'WithIndirectlyReferencedMemory', 'FilterModulePaths',
  'WithProcessThreadData', 'WithPrivateReadWriteMemory', 'WithoutOptionalData',
  'WithFullMemoryInfo', 'WithThreadInfo', 'WithCodeSegs', 'WithoutAuxiliaryState',
  'WithFullAuxiliaryState', 'WithPrivateWriteCopyMemory', 'IgnoreInaccessibleMemory',
  'WithTokenInformation', 'WithModuleHeaders', 'FilterTriage', 'WithAvxXStateContext',
  'WithIptTrace', 'ScanInaccessiblePartialPages'].map((n) => `MiniDump${n}`);
/** Name of an exception code, from the shared WER table in names.ts. */
export function exceptionName(code: number): string | undefined {
  return EXCEPTION_CODES[(code >>> 0).toString(16).padStart(8, '0')];
}

const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
const isoTime = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** The module whose [BaseOfImage, +SizeOfImage) contains `address`, and the offset into it. */
export function moduleAt(modules: MinidumpModule[], address: bigint | string): { module: MinidumpModule; offset: bigint } | undefined {
  const a = BigInt(address);
  for (const m of modules) {
    const base = BigInt(m.base);
    if (a >= base && a < base + BigInt(m.size)) return { module: m, offset: a - base };
  }
  return undefined;
}

/** `size`: the dump's real size when `buf` is only its beginning (see MinidumpSummary.partial). */
export function parseMinidump(buf: Buffer, size = buf.length): MinidumpSummary {
  const sum: MinidumpSummary = { streams: [], modules: [], problems: [] };
  if (size > buf.length) sum.partial = { held: buf.length, size, skipped: 0 };
  const problem = (code: string, message: string, offset?: number): void => {
    sum.problems.push(offset === undefined ? { code, message } : { code, message, offset });
  };
  /** True when [rva, rva+size) lies inside the buffer; else records why not. */
  const fits = (rva: number, len: number, what: string): boolean => {
    if (rva + len <= buf.length) return true;
    if (sum.partial && rva + len <= size) {
      sum.partial.skipped++;
      return false;
    }
    return outside(rva, len, what);
  };
  const outside = (rva: number, len: number, what: string): boolean => {
    if (rva >= size) problem('rva-out-of-range', `${what} at RVA ${rva} is beyond the end (${size} bytes)`, rva);
    else problem('truncated', `${what} at RVA ${rva} needs ${len} bytes but the dump ends at ${size}`, rva);
    return false;
  };
  /** MINIDUMP_STRING: u32 Length in bytes, then UTF-16LE. */
  const readString = (rva: number, what: string): string | undefined => {
    if (!fits(rva, 4, what)) return undefined;
    const len = buf.readUInt32LE(rva);
    if (len > 0x10000 || !fits(rva + 4, len, what)) return undefined;
    return buf.toString('utf16le', rva + 4, rva + 4 + (len & ~1));
  };

  if (buf.length < 4 || buf.readUInt32LE(0) !== MINIDUMP_SIGNATURE) {
    problem('not-a-minidump', 'not a minidump: the first bytes are not "MDMP"', 0);
    return sum;
  }
  if (!fits(0, HEADER_SIZE, 'MINIDUMP_HEADER')) return sum;
  // MINIDUMP_HEADER.
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
  sum.header = h;
  if (h.version !== MINIDUMP_VERSION) problem('unexpected-version', `MINIDUMP_VERSION is ${hex(h.version)}, expected 0xa793`, 4);

  // MINIDUMP_DIRECTORY entries: {StreamType, Location {DataSize, Rva}}.
  const found = new Map<number, MinidumpStream>();
  for (let i = 0; i < h.streams; i++) {
    const at = h.directoryRva + i * DIRECTORY_SIZE;
    if (!fits(at, DIRECTORY_SIZE, `stream directory entry ${i} of ${h.streams}`)) break;
    const type = buf.readUInt32LE(at);
    const s = { type, name: STREAM_NAMES.get(type) ?? hex(type), size: buf.readUInt32LE(at + 4), rva: buf.readUInt32LE(at + 8) };
    sum.streams.push(s);
    if (!found.has(type)) found.set(type, s);
  }
  /** The stream of `type` when it is present, big enough and inside the buffer. */
  const stream = (type: number, min: number): MinidumpStream | undefined => {
    const s = found.get(type);
    if (!s) return undefined;
    if (s.size < min) {
      problem('stream-too-small', `${s.name} is ${s.size} bytes, needs at least ${min}`, s.rva);
      return undefined;
    }
    return fits(s.rva, min, s.name) ? s : undefined;
  };

  // MINIDUMP_SYSTEM_INFO.
  const si = stream(STREAM.SystemInfo, SYSTEM_INFO_SIZE);
  if (si) {
    const o = si.rva;
    const archCode = buf.readUInt16LE(o), productType = buf[o + 7]!, platformId = buf.readUInt32LE(o + 20);
    const suiteMask = buf.readUInt16LE(o + 28), csdRva = buf.readUInt32LE(o + 24);
    const sp = csdRva ? readString(csdRva, 'CSDVersion string') : undefined;
    sum.system = {
      archCode, arch: ARCH_NAMES[archCode] ?? `unknown (${hex(archCode)})`,
      processorLevel: buf.readUInt16LE(o + 2), processorRevision: buf.readUInt16LE(o + 4),
      processors: buf[o + 6]!, productType, productTypeName: PRODUCT_TYPES[productType] ?? `type ${productType}`,
      os: { major: buf.readUInt32LE(o + 8), minor: buf.readUInt32LE(o + 12), build: buf.readUInt32LE(o + 16) },
      platformId, platform: PLATFORMS[platformId] ?? hex(platformId),
      ...(sp ? { servicePack: sp } : {}),
      suiteMask, suite: SUITE_BITS.filter(([bit]) => suiteMask & bit).map(([, n]) => n),
    };
  }

  // MINIDUMP_MODULE_LIST: NumberOfModules, then 108-byte MINIDUMP_MODULEs. Some writers pad the
  // count to 8 bytes; the DataSize tells.
  const ml = stream(STREAM.ModuleList, 4);
  if (ml) {
    const n = buf.readUInt32LE(ml.rva);
    const first = ml.rva + (ml.size === 8 + n * MODULE_SIZE ? 8 : 4);
    for (let i = 0; i < n; i++) {
      const o = first + i * MODULE_SIZE;
      if (o + MODULE_SIZE > ml.rva + ml.size) {
        problem('stream-too-small', `ModuleListStream lists ${n} modules but holds ${i}`, o);
        break;
      }
      if (!fits(o, MODULE_SIZE, `module ${i}`)) break;
      const ts = buf.readUInt32LE(o + 16);
      const ffi = o + 24; // VS_FIXEDFILEINFO
      const ms = buf.readUInt32LE(ffi + 8), ls = buf.readUInt32LE(ffi + 12);
      sum.modules.push({
        name: readString(buf.readUInt32LE(o + 20), `name of module ${i}`) ?? `<module ${i}>`,
        base: hex(buf.readBigUInt64LE(o)), size: buf.readUInt32LE(o + 8), checksum: buf.readUInt32LE(o + 12),
        timeDateStamp: ts, time: isoTime(ts),
        ...(buf.readUInt32LE(ffi) === VS_FFI_SIGNATURE ? { version: `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}` } : {}),
      });
    }
  }

  // MINIDUMP_EXCEPTION_STREAM: ThreadId, __alignment, MINIDUMP_EXCEPTION, ThreadContext.
  const ex = stream(STREAM.Exception, EXCEPTION_STREAM_SIZE);
  if (ex) {
    const e = ex.rva + 8; // MINIDUMP_EXCEPTION
    const code = buf.readUInt32LE(e);
    const address = buf.readBigUInt64LE(e + 16);
    const nParams = Math.min(buf.readUInt32LE(e + 24), 15); // EXCEPTION_MAXIMUM_PARAMETERS
    const parameters = Array.from({ length: nParams }, (_, i) => hex(buf.readBigUInt64LE(e + 32 + i * 8)));
    const hit = moduleAt(sum.modules, address);
    const name = exceptionName(code);
    sum.exception = {
      threadId: buf.readUInt32LE(ex.rva), code: code.toString(16).padStart(8, '0'),
      ...(name ? { codeName: name } : {}),
      flags: buf.readUInt32LE(e + 4), address: hex(address), record: hex(buf.readBigUInt64LE(e + 8)), parameters,
      ...(hit ? { module: { name: hit.module.name, offset: hex(hit.offset) } } : {}),
    };
  }

  // MINIDUMP_THREAD_LIST (or MINIDUMP_THREAD_EX_LIST): NumberOfThreads first.
  const tl = stream(STREAM.ThreadList, 4) ?? stream(STREAM.ThreadExList, 4);
  if (tl) sum.threadCount = buf.readUInt32LE(tl.rva);
  return sum;
}
