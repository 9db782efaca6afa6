// Writes a small, layout-correct minidump (minidumpapiset.h): MINIDUMP_HEADER, the stream
// directory, MINIDUMP_SYSTEM_INFO, MINIDUMP_EXCEPTION_STREAM, MINIDUMP_MODULE_LIST and
// MINIDUMP_THREAD_LIST — enough for parsers and triage tools to name the crash. Used by tests and
// `simulate`. Deliberately no memory ranges, stacks or CPU contexts (their locations are {0, 0}),
// so debuggers can read the facts but not walk a stack.
import {
  ARCH_NAMES, DIRECTORY_SIZE, EXCEPTION_STREAM_SIZE, HEADER_SIZE, MINIDUMP_SIGNATURE,
  MINIDUMP_VERSION, MODULE_SIZE, STREAM, SYSTEM_INFO_SIZE, THREAD_SIZE, VS_FFI_SIGNATURE,
} from '../decode/wer/minidump.js';

export interface MinidumpWriteOptions {
  /** Becomes MINIDUMP_HEADER.TimeDateStamp (seconds, UTC). */
  time: Date;
  /** 'x86' | 'ARM' | 'IA64' | 'AMD64' | 'ARM64', or a PROCESSOR_ARCHITECTURE_* number. */
  arch: string | number;
  /** `sp` becomes the CSDVersion string (e.g. 'Service Pack 1'). */
  os: { major: number; minor: number; build: number; sp?: string };
  processors?: number;
  exception: { code: number; address: bigint | number; threadId: number; parameters?: (bigint | number)[] };
  modules: { name: string; base: bigint | number; size: number; timestamp: number | Date; version?: string }[];
  /** Number of MINIDUMP_THREADs; the first one is the exception thread. Default 1. */
  threads?: number;
}

/** MINIDUMP_STRING: u32 Length (bytes, without the terminator), UTF-16LE, then a NUL WCHAR. */
function minidumpString(s: string): Buffer {
  const text = Buffer.from(s, 'utf16le');
  const b = Buffer.alloc(4 + text.length + 2);
  b.writeUInt32LE(text.length, 0);
  text.copy(b, 4);
  return b;
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
  const nStreams = 4;
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
  si.writeUInt16LE(archCode(opts.arch), 0);
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

  // MINIDUMP_THREAD_LIST: ids start at the exception thread; no stacks or contexts.
  const tl = Buffer.alloc(4 + threads * THREAD_SIZE);
  tl.writeUInt32LE(threads, 0);
  for (let i = 0; i < threads; i++) tl.writeUInt32LE((opts.exception.threadId + 4 * i) >>> 0, 4 + i * THREAD_SIZE);
  addStream(STREAM.ThreadList, tl);

  // Strings, referenced by RVA from the fixed parts above.
  if (opts.os.sp) si.writeUInt32LE(place(minidumpString(opts.os.sp)), 24);
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
