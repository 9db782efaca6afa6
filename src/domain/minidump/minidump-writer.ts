// Writes a small, layout-correct minidump (minidumpapiset.h): MINIDUMP_HEADER, the stream
// directory, MINIDUMP_SYSTEM_INFO, MINIDUMP_EXCEPTION_STREAM, MINIDUMP_MODULE_LIST and
// MINIDUMP_THREAD_LIST — enough for parsers and triage tools to name the crash. Used by tests and
// `simulate`. Optional parts for stack-walk tests: the exception thread's CPU context and stack
// memory (MemoryListStream or Memory64ListStream), CodeView records, ThreadNamesStream,
// UnloadedModuleListStream and MiscInfoStream. Without them locations are {0, 0}.
import { contextBytes, minidumpString, rsdsRecord, type ContextSpec, type PdbSpec } from './minidump-writer-parts.js';
import {
  ARCH_NAMES, DIRECTORY_SIZE, EXCEPTION_STREAM_SIZE, HEADER_SIZE, MINIDUMP_SIGNATURE,
  MINIDUMP_VERSION, MODULE_SIZE, STREAM, SYSTEM_INFO_SIZE, THREAD_SIZE, VS_FFI_SIGNATURE,
} from './minidump.js';

export interface MinidumpWriteOptions {
  /** Becomes MINIDUMP_HEADER.TimeDateStamp (seconds, UTC). */
  time: Date;
  /** 'x86' | 'ARM' | 'IA64' | 'AMD64' | 'ARM64', or a PROCESSOR_ARCHITECTURE_* number. */
  arch: string | number;
  /** `sp` becomes the CSDVersion string (e.g. 'Service Pack 1'). */
  os: { major: number; minor: number; build: number; sp?: string };
  processors?: number;
  /** `context` becomes the exception's ThreadContext and the exception thread's context. */
  exception: { code: number; address: bigint | number; threadId: number; parameters?: (bigint | number)[]; context?: ContextSpec };
  modules: { name: string; base: bigint | number; size: number; timestamp: number | Date; version?: string; pdb?: PdbSpec }[];
  /** Number of MINIDUMP_THREADs; the first one is the exception thread. Default 1. */
  threads?: number;
  /** ThreadNamesStream entries: thread index (0 = the exception thread) → name. */
  threadNames?: Record<number, string>;
  /** The exception thread's TEB address (MINIDUMP_THREAD.Teb); its memory, if any, goes in
   * `memory` (LastErrorValue at TEB+0x68 on 64-bit, +0x34 on x86). */
  teb?: bigint | number;
  /** The exception thread's stack memory; also listed in the memory list. */
  stack?: { start: bigint | number; data: Buffer };
  /** Further captured memory. */
  memory?: { start: bigint | number; data: Buffer }[];
  /** Write the memory as a Memory64ListStream (full-dump style) instead of a MemoryListStream. */
  memory64?: boolean;
  unloaded?: { name: string; base: bigint | number; size: number; timestamp: number | Date }[];
  /** MiscInfoStream with process id and create time (MINIDUMP_MISC1_PROCESS_ID | _TIMES). */
  process?: { id: number; created: Date; userSeconds?: number; kernelSeconds?: number };
}

function archCode(arch: string | number): number {
  if (typeof arch === 'number') return arch;
  const hit = Object.entries(ARCH_NAMES).find(([, n]) => n.toLowerCase() === arch.toLowerCase());
  if (!hit) throw new RangeError(`unknown processor architecture ${JSON.stringify(arch)}`);
  return Number(hit[0]);
}

/** 'a.b.c.d' → [dwFileVersionMS, dwFileVersionLS]. */
function versionWords(v: string): [number, number] {
  const [a = 0, b = 0, c = 0, d = 0] = v.split('.').map((x) => Number.parseInt(x, 10) & 0xffff);
  return [((a << 16) | b) >>> 0, ((c << 16) | d) >>> 0];
}

const seconds = (t: number | Date): number => (typeof t === 'number' ? t : Math.floor(t.getTime() / 1000)) >>> 0;

export function writeMinidump(opts: MinidumpWriteOptions): Buffer {
  const threads = opts.threads ?? 1;
  const arch = archCode(opts.arch);
  const names = Object.entries(opts.threadNames ?? {}).filter(([i]) => Number(i) < threads);
  const ranges = [...(opts.stack ? [opts.stack] : []), ...(opts.memory ?? [])];
  const nStreams = 4 + (names.length ? 1 : 0) + (opts.unloaded ? 1 : 0) + (opts.process ? 1 : 0) + (ranges.length ? 1 : 0);
  // Layout: header, directory, then each stream 8-aligned, strings after the fixed parts.
  const chunks: Buffer[] = [];
  let size = 0;
  const place = (b: Buffer): number => {
    const pad = (8 - (size % 8)) % 8;
    if (pad) chunks.push(Buffer.alloc(pad));
    const rva = size + pad;
    chunks.push(b);
    size = rva + b.length;
    return rva;
  };
  /** Right after the previous chunk, unaligned (Memory64List data runs back to back). */
  const append = (b: Buffer): number => {
    const rva = size;
    chunks.push(b);
    size += b.length;
    return rva;
  };
  const header = Buffer.alloc(HEADER_SIZE);
  const directory = Buffer.alloc(nStreams * DIRECTORY_SIZE);
  place(header);
  const dirRva = place(directory);
  let entry = 0;
  const addStream = (type: number, data: Buffer): number => {
    const rva = place(data);
    directory.writeUInt32LE(type, entry * DIRECTORY_SIZE);
    directory.writeUInt32LE(data.length, entry * DIRECTORY_SIZE + 4);
    directory.writeUInt32LE(rva, entry * DIRECTORY_SIZE + 8);
    entry++;
    return rva;
  };

  // MINIDUMP_SYSTEM_INFO (CPU_INFORMATION left zero).
  const si = Buffer.alloc(SYSTEM_INFO_SIZE);
  si.writeUInt16LE(arch, 0);
  si.writeUInt16LE(6, 2); // ProcessorLevel
  si[6] = (opts.processors ?? 1) & 0xff;
  si[7] = 1; // ProductType: VER_NT_WORKSTATION
  si.writeUInt32LE(opts.os.major, 8);
  si.writeUInt32LE(opts.os.minor, 12);
  si.writeUInt32LE(opts.os.build, 16);
  si.writeUInt32LE(2, 20); // PlatformId: VER_PLATFORM_WIN32_NT
  si.writeUInt16LE(0x0100, 28); // SuiteMask: VER_SUITE_SINGLEUSERTS, as desktop Windows reports
  addStream(STREAM.SystemInfo, si);

  // MINIDUMP_EXCEPTION_STREAM.
  const ex = Buffer.alloc(EXCEPTION_STREAM_SIZE);
  const params = (opts.exception.parameters ?? []).slice(0, 15);
  ex.writeUInt32LE(opts.exception.threadId >>> 0, 0);
  ex.writeUInt32LE(opts.exception.code >>> 0, 8);
  ex.writeBigUInt64LE(BigInt(opts.exception.address), 24);
  ex.writeUInt32LE(params.length, 32);
  params.forEach((p, i) => ex.writeBigUInt64LE(BigInt(p), 40 + i * 8));
  addStream(STREAM.Exception, ex);

  // MINIDUMP_MODULE_LIST.
  const ml = Buffer.alloc(4 + opts.modules.length * MODULE_SIZE);
  ml.writeUInt32LE(opts.modules.length, 0);
  addStream(STREAM.ModuleList, ml);

  // MINIDUMP_THREAD_LIST: ids start at the exception thread, which alone may have a stack and
  // context.
  const tl = Buffer.alloc(4 + threads * THREAD_SIZE);
  const threadId = (i: number): number => (opts.exception.threadId + 4 * i) >>> 0;
  tl.writeUInt32LE(threads, 0);
  for (let i = 0; i < threads; i++) tl.writeUInt32LE(threadId(i), 4 + i * THREAD_SIZE);
  if (opts.teb !== undefined) tl.writeBigUInt64LE(BigInt(opts.teb), 4 + 16);
  addStream(STREAM.ThreadList, tl);

  // MINIDUMP_THREAD_NAME_LIST: {ThreadId u32, RvaOfThreadName u64}, packed to 12 bytes.
  const tn = Buffer.alloc(4 + names.length * 12);
  if (names.length) {
    tn.writeUInt32LE(names.length, 0);
    addStream(STREAM.ThreadNames, tn);
  }
  // MINIDUMP_UNLOADED_MODULE_LIST: 12-byte header, 24-byte entries.
  const unloaded = opts.unloaded ?? [];
  const ul = Buffer.alloc(12 + unloaded.length * 24);
  if (opts.unloaded) {
    ul.writeUInt32LE(12, 0);
    ul.writeUInt32LE(24, 4);
    ul.writeUInt32LE(unloaded.length, 8);
    addStream(STREAM.UnloadedModuleList, ul);
  }
  // MINIDUMP_MISC_INFO (the 24-byte first version).
  if (opts.process) {
    const mi = Buffer.alloc(24);
    mi.writeUInt32LE(24, 0);
    mi.writeUInt32LE(0x3, 4); // MINIDUMP_MISC1_PROCESS_ID | MINIDUMP_MISC1_PROCESS_TIMES
    mi.writeUInt32LE(opts.process.id >>> 0, 8);
    mi.writeUInt32LE(seconds(opts.process.created), 12);
    mi.writeUInt32LE((opts.process.userSeconds ?? 0) >>> 0, 16);
    mi.writeUInt32LE((opts.process.kernelSeconds ?? 0) >>> 0, 20);
    addStream(STREAM.MiscInfo, mi);
  }
  // MINIDUMP_MEMORY_LIST {count, {Start u64, DataSize u32, Rva u32}...} or MINIDUMP_MEMORY64_LIST
  // {count u64, BaseRva u64, {Start u64, DataSize u64}...} with the data back to back.
  const mem = Buffer.alloc(opts.memory64 ? 16 + ranges.length * 16 : 4 + ranges.length * 16);
  if (ranges.length) addStream(opts.memory64 ? STREAM.Memory64List : STREAM.MemoryList, mem);

  // Context and memory, referenced from the streams above.
  if (opts.exception.context) {
    const ctx = contextBytes(arch, opts.exception.context);
    const rva = place(ctx);
    ex.writeUInt32LE(ctx.length, 160); // ThreadContext
    ex.writeUInt32LE(rva, 164);
    tl.writeUInt32LE(ctx.length, 4 + 40);
    tl.writeUInt32LE(rva, 4 + 44);
  }
  ranges.forEach((m, i) => {
    const rva = opts.memory64 && i > 0 ? append(m.data) : place(m.data);
    if (opts.memory64) {
      mem.writeBigUInt64LE(BigInt(ranges.length), 0);
      if (i === 0) mem.writeBigUInt64LE(BigInt(rva), 8);
      mem.writeBigUInt64LE(BigInt(m.start), 16 + i * 16);
      mem.writeBigUInt64LE(BigInt(m.data.length), 24 + i * 16);
    } else {
      mem.writeUInt32LE(ranges.length, 0);
      mem.writeBigUInt64LE(BigInt(m.start), 4 + i * 16);
      mem.writeUInt32LE(m.data.length, 12 + i * 16);
      mem.writeUInt32LE(rva, 16 + i * 16);
    }
    if (i === 0 && opts.stack) {
      tl.writeBigUInt64LE(BigInt(m.start), 4 + 24); // Stack.StartOfMemoryRange
      tl.writeUInt32LE(m.data.length, 4 + 32);
      tl.writeUInt32LE(rva, 4 + 36);
    }
  });

  // Strings and CodeView records, referenced by RVA from the fixed parts above.
  if (opts.os.sp) si.writeUInt32LE(place(minidumpString(opts.os.sp)), 24);
  names.forEach(([i, name], k) => {
    tn.writeUInt32LE(threadId(Number(i)), 4 + k * 12);
    tn.writeBigUInt64LE(BigInt(place(minidumpString(name))), 8 + k * 12);
  });
  unloaded.forEach((m, i) => {
    const o = 12 + i * 24;
    ul.writeBigUInt64LE(BigInt(m.base), o);
    ul.writeUInt32LE(m.size >>> 0, o + 8);
    ul.writeUInt32LE(seconds(m.timestamp), o + 16);
    ul.writeUInt32LE(place(minidumpString(m.name)), o + 20);
  });
  opts.modules.forEach((m, i) => {
    const o = 4 + i * MODULE_SIZE;
    ml.writeBigUInt64LE(BigInt(m.base), o);
    ml.writeUInt32LE(m.size >>> 0, o + 8);
    ml.writeUInt32LE(seconds(m.timestamp), o + 16);
    ml.writeUInt32LE(place(minidumpString(m.name)), o + 20);
    if (m.version) {
      // VS_FIXEDFILEINFO: dwSignature, dwStrucVersion, dwFileVersionMS/LS, dwProductVersionMS/LS.
      const [ms, ls] = versionWords(m.version);
      ml.writeUInt32LE(VS_FFI_SIGNATURE, o + 24);
      ml.writeUInt32LE(0x00010000, o + 28);
      ml.writeUInt32LE(ms, o + 32);
      ml.writeUInt32LE(ls, o + 36);
      ml.writeUInt32LE(ms, o + 40);
      ml.writeUInt32LE(ls, o + 44);
    }
    if (m.pdb) {
      const cv = rsdsRecord(m.pdb);
      ml.writeUInt32LE(cv.length, o + 76); // CvRecord
      ml.writeUInt32LE(place(cv), o + 80);
    }
  });

  // MINIDUMP_HEADER.
  header.writeUInt32LE(MINIDUMP_SIGNATURE, 0);
  header.writeUInt32LE(MINIDUMP_VERSION, 4);
  header.writeUInt32LE(nStreams, 8);
  header.writeUInt32LE(dirRva, 12);
  header.writeUInt32LE(seconds(opts.time), 20);
  header.writeBigUInt64LE(0n, 24); // MiniDumpNormal
  return Buffer.concat(chunks, size);
}
