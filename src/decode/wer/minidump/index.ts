// Summarises a Windows minidump (minidumpapiset.h): header, stream directory, system info,
// exception, module list and thread count. Truncation and out-of-range RVAs become `problems`,
// never exceptions; every loop is bounded by the bytes present, and lists and strings are
// capped (MINIDUMP_CAPS) so that a small dump cannot describe a huge summary.
import { readDirectory, readHeader, streamOf } from './header.js';
import { readException } from './exception.js';
import { readModules } from './modules.js';
import { DumpReader } from './reader.js';
import { readSystem } from './system.js';
import { EXCEPTION_STREAM_SIZE, STREAM, SYSTEM_INFO_SIZE, type MinidumpSummary } from './types.js';

export function parseMinidump(buf: Buffer): MinidumpSummary {
  const r = new DumpReader(buf);
  const sum: MinidumpSummary = { streams: [], modules: [], problems: r.problems };
  const h = readHeader(r);
  if (!h) return { ...sum, problems: r.finish() };
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

  const ex = streamOf(r, dir, STREAM.Exception, EXCEPTION_STREAM_SIZE);
  if (ex) sum.exception = readException(r, ex, modules);

  // MINIDUMP_THREAD_LIST (or MINIDUMP_THREAD_EX_LIST): NumberOfThreads first.
  const tl = streamOf(r, dir, STREAM.ThreadList, 4) ?? streamOf(r, dir, STREAM.ThreadExList, 4);
  if (tl) sum.threadCount = buf.readUInt32LE(tl.rva);
  sum.problems = r.finish();
  return sum;
}
