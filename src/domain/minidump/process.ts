// MINIDUMP_MISC_INFO (stream 15; SizeOfInfo, Flags1, ProcessId, ProcessCreateTime,
// ProcessUserTime, ProcessKernelTime — later versions only append): the process id, when it
// started and, against the header's TimeDateStamp, how long it had been running.
import type { DumpReader } from './reader.js';
import { isoTime, type MinidumpProcess, type MinidumpStream } from './types.js';

const MISC1_PROCESS_ID = 0x1, MISC1_PROCESS_TIMES = 0x2;

export function readProcess(r: DumpReader, s: MinidumpStream, dumpTime: number): MinidumpProcess {
  const b = r.buf, o = s.rva;
  const flags = b.readUInt32LE(o + 4);
  const p: MinidumpProcess = {};
  if (flags & MISC1_PROCESS_ID) p.id = b.readUInt32LE(o + 8);
  if (flags & MISC1_PROCESS_TIMES) {
    const created = b.readUInt32LE(o + 12);
    p.created = isoTime(created);
    if (dumpTime >= created) p.uptimeSeconds = dumpTime - created;
    p.userSeconds = b.readUInt32LE(o + 16);
    p.kernelSeconds = b.readUInt32LE(o + 20);
  }
  return p;
}
