// Summarises a Windows minidump (minidumpapiset.h): header, stream directory, system info,
// exception, modules (with CodeView ids), unloaded modules, threads (with names), process
// times, and the crashing thread's stack walked from the exception context. Truncation and out-of-range RVAs become `problems`,
// never exceptions; every loop is bounded by the bytes present, and lists and strings are
// capped (MINIDUMP_CAPS) so that a small dump cannot describe a huge summary.
import { readDirectory, readHeader, streamOf } from './header.js';
import { contextArch, readContext } from './context.js';
import { exceptionContext, readException } from './exception.js';
import { clippedRange, memoryOf, memoryTotals, readMemory } from './memory.js';
import { readProcess } from './process.js';
import { walkStack } from './stack.js';
import { readThreads } from './threads.js';
import { readUnloaded } from './unloaded.js';
import { readModules } from './modules.js';
import { DumpReader } from './reader.js';
import type { DumpBytes } from './dump-bytes.js';
import { readSystem } from './system.js';
import { win32ErrorName } from './win32-errors.js';
import type { Memory } from './memory.js';
import { EXCEPTION_STREAM_SIZE, STREAM, SYSTEM_INFO_SIZE, type MinidumpSummary } from './types.js';

/** `size`: the dump's real size when `buf` is only its beginning (see MinidumpSummary.partial). */
export function parseMinidump(buf: DumpBytes, size = buf.length): MinidumpSummary {
  const r = new DumpReader(buf, Math.max(size, buf.length));
  const sum: MinidumpSummary = { streams: [], modules: [], problems: r.problems };
  const done = (): MinidumpSummary => {
    if (r.size > buf.length) sum.partial = { held: buf.length, size: r.size, skipped: r.skipped };
    sum.problems = r.finish();
    return sum;
  };
  const h = readHeader(r);
  if (!h) return done();
  sum.header = h;
  const dir = readDirectory(r, h);
  sum.streams = dir.listed;

  const si = streamOf(r, dir, STREAM.SystemInfo, SYSTEM_INFO_SIZE);
  if (si) sum.system = readSystem(r, si);

  const ml = streamOf(r, dir, STREAM.ModuleList, 4);
  const modules = ml ? readModules(r, ml) : undefined;
  if (modules) {
    sum.modules = modules.kept;
    sum.moduleCount = modules.present;
    if (modules.distinctNames < modules.present) sum.moduleNames = modules.distinctNames;
  }

  const ul = streamOf(r, dir, STREAM.UnloadedModuleList, 12);
  const unloaded = ul ? readUnloaded(r, ul) : undefined;
  if (unloaded) {
    sum.unloadedModules = unloaded.listed;
    sum.unloadedModuleCount = unloaded.present;
  }

  const ex = streamOf(r, dir, STREAM.Exception, EXCEPTION_STREAM_SIZE);
  if (ex) sum.exception = readException(r, ex, modules, unloaded);

  const tl = streamOf(r, dir, STREAM.ThreadList, 4) ?? streamOf(r, dir, STREAM.ThreadExList, 4);
  const threads = tl ? readThreads(r, tl, streamOf(r, dir, STREAM.ThreadNames, 4)) : undefined;
  if (threads) {
    sum.threadCount = threads.claimed;
    sum.threads = threads.listed;
  }

  const misc = streamOf(r, dir, STREAM.MiscInfo, 24);
  if (misc) sum.process = readProcess(r, misc, h.timeDateStamp);

  const memoryStreams = { list: streamOf(r, dir, STREAM.MemoryList, 4), list64: streamOf(r, dir, STREAM.Memory64List, 16) };
  const totals = memoryTotals(r, memoryStreams);
  if (totals) sum.memory = totals;

  // The crashing thread's stack: exception context, the thread's Stack memory, then the lists.
  if (ex && sum.exception) {
    const where = exceptionContext(r, ex);
    const arch = contextArch(sum.system?.archCode, r, where.rva, where.size);
    const ctx = arch ? readContext(r, arch, where.rva, where.size, 'exception ThreadContext') : undefined;
    if (ctx) {
      const t = threads?.byId(sum.exception.threadId);
      const own = t && t.stack.size > 0 ? clippedRange(r, t.stack.start, t.stack.size, t.stack.rva) : undefined;
      const lists = readMemory(r, memoryStreams);
      const memory = own ? memoryOf(r, [own], lists) : lists;
      sum.stack = { threadId: sum.exception.threadId, arch: ctx.arch, frames: walkStack(ctx, memory, modules) };
      if (t && t.teb !== 0n) sum.lastError = lastError(sum.exception.threadId, t.teb, ctx.pointer, lists);
    }
  }
  return done();
}

/** TEB.LastErrorValue: +0x34 in the 32-bit TEB, +0x68 in the 64-bit one (x64 and ARM64). */
function lastError(threadId: number, teb: bigint, pointer: 4 | 8, memory: Memory): NonNullable<MinidumpSummary['lastError']> {
  const v = memory.read(teb + (pointer === 8 ? 0x68n : 0x34n), 4);
  if (v === undefined) return { threadId, inDump: false };
  const code = Number(v);
  const name = win32ErrorName(code);
  return { threadId, inDump: true, code, ...(name ? { name } : {}) };
}
