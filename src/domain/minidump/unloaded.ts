// MINIDUMP_UNLOADED_MODULE_LIST (stream 14): SizeOfHeader, SizeOfEntry, NumberOfEntries, then
// entries {BaseOfImage u64, SizeOfImage u32, CheckSum u32, TimeDateStamp u32, ModuleNameRva u32}
// (24 bytes, or SizeOfEntry when a newer writer makes them longer). Recently unloaded DLLs: a
// crash address inside one means code ran after its module was freed.
import type { DumpReader } from './reader.js';
import { MINIDUMP_CAPS, count, hex, type MinidumpStream, type MinidumpUnloadedModule } from './types.js';

const ENTRY_SIZE = 24;

export interface UnloadedTable {
  present: number;
  listed: MinidumpUnloadedModule[];
  /** The unloaded module whose old range held `address`. */
  find(address: bigint): { name: string; offset: bigint } | undefined;
}

export function readUnloaded(r: DumpReader, s: MinidumpStream): UnloadedTable | undefined {
  const buf = r.buf;
  if (!r.fits(s.rva, 12, s.name)) return undefined;
  const headerSize = buf.readUInt32LE(s.rva), entrySize = buf.readUInt32LE(s.rva + 4);
  if (headerSize < 12 || entrySize < ENTRY_SIZE || headerSize > s.size) {
    r.problem('bad-stream', `${s.name} has SizeOfHeader ${headerSize} and SizeOfEntry ${entrySize}`, s.rva);
    return undefined;
  }
  const first = s.rva + headerSize;
  const present = r.records(s.name, first, s.rva + s.size, buf.readUInt32LE(s.rva + 8), entrySize, 'unloaded module');
  const at = (i: number): number => first + i * entrySize;
  const name = (i: number, free = false): string =>
    r.string(buf.readUInt32LE(at(i) + 20), `name of unloaded module ${i}`, free) ?? `<unloaded module ${i}>`;
  const kept = Math.min(present, MINIDUMP_CAPS.unloaded);
  if (present > kept) r.problem('capped', `${s.name} holds ${count(present)} modules; the first ${count(kept)} are listed`, at(kept));
  const listed: MinidumpUnloadedModule[] = [];
  for (let i = 0; i < kept; i++) {
    const o = at(i);
    listed.push({ name: name(i), base: hex(buf.readBigUInt64LE(o)), size: buf.readUInt32LE(o + 8), timeDateStamp: buf.readUInt32LE(o + 16) });
  }
  return {
    present, listed,
    find(address) {
      for (let i = 0; i < present; i++) {
        const base = buf.readBigUInt64LE(at(i));
        if (address >= base && address < base + BigInt(buf.readUInt32LE(at(i) + 8))) return { name: name(i, true), offset: address - base };
      }
      return undefined;
    },
  };
}
