// Shapes and layout constants of the minidump summary (minidumpapiset.h, learn.microsoft.com
// MINIDUMP_* structures), and the caps that keep a summary's size and the work behind it
// proportional to the bytes present rather than to the counts a dump claims.
import { groupThousands } from '../../util/count.js';

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
  /** Breakpad/symbol-server code id: TimeDateStamp as %08X then SizeOfImage as %x. */
  codeId: string;
  /** The CodeView record (RSDS or NB10) naming the PDB. */
  debug?: MinidumpDebugId;
}

export interface MinidumpDebugId {
  format: 'RSDS' | 'NB10';
  /** PdbFileName as stored (may be a full path). */
  pdb: string;
  /** RSDS: the GUID as 32 uppercase hex digits; NB10: the signature as 8. */
  guid: string;
  age: number;
  /** Symbol-server path: 'name.pdb/GUIDAGE/name.pdb' (age in uppercase hex). */
  key: string;
}

export interface MinidumpUnloadedModule {
  name: string;
  base: string;
  size: number;
  timeDateStamp: number;
}

export interface MinidumpThread {
  id: number;
  name?: string;
  suspendCount: number;
  priority: number;
  teb: string;
  /** The captured stack memory: start address and byte count. */
  stack?: { start: string; size: number };
}

/** One frame of the crashing thread's stack. */
export interface MinidumpFrame {
  /** The instruction pointer (frame 0) or the return address (callers), '0x…'. */
  address: string;
  /** How it was found, as rust-minidump/Breakpad say it. */
  trust: 'context' | 'link register' | 'frame pointer' | 'scan';
  /** File name of the module holding the instruction. */
  module?: string;
  /** Offset of the instruction in it; for callers of the return address − 1. */
  offset?: string;
  /** 'render.dll+0x1a2f4', or the address when no module holds it. */
  text: string;
}

export interface MinidumpStack {
  threadId: number;
  arch: string;
  frames: MinidumpFrame[];
}

export interface MinidumpProcess {
  id?: number;
  /** ProcessCreateTime (MINIDUMP_MISC_INFO), ISO. */
  created?: string;
  /** Header TimeDateStamp − ProcessCreateTime, in seconds. */
  uptimeSeconds?: number;
  userSeconds?: number;
  kernelSeconds?: number;
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
  /** Access violation / in-page error: what the faulting instruction did, and where. */
  access?: { kind: 'read' | 'write' | 'execute'; address: string };
  /** No loaded module holds the address but an unloaded one did: likely a call into freed code. */
  unloadedModule?: { name: string; offset: string };
}

export interface MinidumpSummary {
  header?: MinidumpHeader;
  /** Directory entries, at most MINIDUMP_CAPS.streams of them. */
  streams: MinidumpStream[];
  system?: MinidumpSystem;
  exception?: MinidumpException;
  /** The first MINIDUMP_CAPS.modules modules of the list. */
  modules: MinidumpModule[];
  /** MINIDUMP_MODULE records present in the ModuleListStream (all of them, kept or not). */
  moduleCount?: number;
  /** How many different ModuleNameRvas those records use (modules sharing one name string). */
  moduleNames?: number;
  threadCount?: number;
  /** The first MINIDUMP_CAPS.threads threads, with names from ThreadNamesStream. */
  threads?: MinidumpThread[];
  unloadedModules?: MinidumpUnloadedModule[];
  /** Records present in UnloadedModuleListStream. */
  unloadedModuleCount?: number;
  process?: MinidumpProcess;
  /** The crashing thread's stack, walked from the exception context. */
  stack?: MinidumpStack;
  /** The crashing thread's GetLastError() value: LastErrorValue of its TEB (TEB+0x68 on 64-bit
   * Windows, +0x34 on x86), when the dump captured that memory; `inDump` false otherwise. */
  lastError?: { threadId: number; inDump: boolean; code?: number; name?: string };
  /** The process memory captured (MemoryList, or Memory64List in full and heap dumps). */
  memory?: { list: 'MemoryList' | 'Memory64List'; ranges: number; claimed: number; bytes: number };
  problems: MinidumpProblem[];
  /** Only the dump's first `held` of `size` bytes were given (a large dump in a CAB): what lay
   * beyond them was not read — not damage. `skipped` counts those structures. */
  partial?: { held: number; size: number; skipped: number };
}

/** Limits on what one summary holds. Counts stay exact; the lists and strings are cut, and a
 * 'capped' problem says where. Sized far above real dumps (a big process has ~500 modules and
 * ~200 threads; Windows paths are at most 32,767 characters but real ones are < 300). */
export const MINIDUMP_CAPS = {
  /** Directory entries listed in `streams` (the rest are still searched for known streams). */
  streams: 256,
  /** Modules materialised in `modules`. */
  modules: 1000,
  /** Records that address lookups (exception, stack) search through a sorted index. */
  moduleIndex: 65_536,
  /** Characters kept of any one string (module name, service pack). */
  nameChars: 1024,
  /** Characters of names kept across the whole summary. */
  textChars: 256 * 1024,
  /** Threads and unloaded modules materialised. */
  threads: 256,
  unloaded: 256,
  /** Frames of the crashing thread, and stack words scanned for each frame. */
  frames: 64,
  scanWords: 1024,
  /** Problems listed; one more 'capped' problem counts the rest. */
  problems: 64,
} as const;

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
export const STREAM_NAMES = new Map<number, string>(Object.entries(STREAM).map(([n, v]) => [v, `${n}Stream`]));

/** PROCESSOR_ARCHITECTURE_* (winnt.h). */
export const ARCH_NAMES: Record<number, string> = { 0: 'x86', 5: 'ARM', 6: 'IA64', 9: 'AMD64', 12: 'ARM64', 0xffff: 'unknown' };

export const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
export const isoTime = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
/** 160000 → '160,000'. */
export const count = groupThousands;
