// MINIDUMP_EXCEPTION_STREAM: ThreadId, __alignment, MINIDUMP_EXCEPTION, ThreadContext. The
// faulting module is searched among all module records present, not only the listed ones.
import { EXCEPTION_CODES } from '../report/names.js';
import type { ModuleTable } from './modules.js';
import type { UnloadedTable } from './unloaded.js';
import type { DumpReader } from './reader.js';
import { hex, type MinidumpException, type MinidumpStream } from './types.js';

/** Name of an exception code, from the shared WER table in names.ts. */
export function exceptionName(code: number): string | undefined {
  return EXCEPTION_CODES[(code >>> 0).toString(16).padStart(8, '0')];
}

/** ExceptionInformation[0] of EXCEPTION_ACCESS_VIOLATION and EXCEPTION_IN_PAGE_ERROR. */
const ACCESS_KINDS: Record<string, 'read' | 'write' | 'execute'> = { '0x0': 'read', '0x1': 'write', '0x8': 'execute' };

/** MINIDUMP_EXCEPTION_STREAM.ThreadContext (MINIDUMP_LOCATION_DESCRIPTOR at offset 160). */
export function exceptionContext(r: DumpReader, s: MinidumpStream): { size: number; rva: number } {
  return { size: r.buf.readUInt32LE(s.rva + 160), rva: r.buf.readUInt32LE(s.rva + 164) };
}

export function readException(r: DumpReader, s: MinidumpStream, modules: ModuleTable | undefined, unloaded?: UnloadedTable): MinidumpException {
  const buf = r.buf;
  const e = s.rva + 8; // MINIDUMP_EXCEPTION
  const code = buf.readUInt32LE(e);
  const address = buf.readBigUInt64LE(e + 16);
  const nParams = Math.min(buf.readUInt32LE(e + 24), 15); // EXCEPTION_MAXIMUM_PARAMETERS
  const parameters = Array.from({ length: nParams }, (_, i) => hex(buf.readBigUInt64LE(e + 32 + i * 8)));
  const hit = modules?.find(address, true);
  const gone = hit ? undefined : unloaded?.find(address);
  const name = exceptionName(code);
  const kind = (code === 0xc0000005 || code === 0xc0000006) && parameters.length >= 2 ? ACCESS_KINDS[parameters[0]!] : undefined;
  return {
    threadId: buf.readUInt32LE(s.rva), code: code.toString(16).padStart(8, '0'),
    ...(name ? { codeName: name } : {}),
    flags: buf.readUInt32LE(e + 4), address: hex(address), record: hex(buf.readBigUInt64LE(e + 8)), parameters,
    ...(hit && modules ? { module: { name: modules.module(hit.index).name, offset: hex(hit.offset) } } : {}),
    ...(kind ? { access: { kind, address: parameters[1]! } } : {}),
    ...(gone ? { unloadedModule: { name: gone.name, offset: hex(gone.offset) } } : {}),
  };
}
