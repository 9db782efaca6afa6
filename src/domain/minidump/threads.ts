// MINIDUMP_THREAD_LIST (stream 3; 48-byte MINIDUMP_THREADs: ThreadId, SuspendCount,
// PriorityClass, Priority, Teb u64, Stack {Start u64, DataSize u32, Rva u32}, ThreadContext
// {DataSize, Rva}) or MINIDUMP_THREAD_EX_LIST (stream 8; the same plus a 16-byte BackingStore),
// and MINIDUMP_THREAD_NAME_LIST (stream 24: count, then packed {ThreadId u32, RvaOfThreadName
// u64}). The first MINIDUMP_CAPS.threads threads are listed; any thread can be looked up by id.
import type { DumpReader } from './reader.js';
import { MINIDUMP_CAPS, THREAD_SIZE, count, hex, type MinidumpStream, type MinidumpThread } from './types.js';

const THREAD_EX_SIZE = THREAD_SIZE + 16;
const THREAD_NAME_SIZE = 12;

/** Where one thread's stack memory and context lie in the dump. */
export interface ThreadRecord {
  id: number;
  /** The thread's TEB address. */
  teb: bigint;
  stack: { start: bigint; size: number; rva: number };
  context: { size: number; rva: number };
}

export interface ThreadTable {
  /** NumberOfThreads as claimed. */
  claimed: number;
  listed: MinidumpThread[];
  byId(id: number): ThreadRecord | undefined;
}

function threadNames(r: DumpReader, s: MinidumpStream | undefined, ids: Set<number>): Map<number, string> {
  const out = new Map<number, string>();
  if (!s) return out;
  const n = r.records(s.name, s.rva + 4, s.rva + s.size, r.buf.readUInt32LE(s.rva), THREAD_NAME_SIZE, 'thread name');
  for (let i = 0; i < n && out.size < ids.size; i++) {
    const o = s.rva + 4 + i * THREAD_NAME_SIZE;
    const id = r.buf.readUInt32LE(o), rva = r.buf.readBigUInt64LE(o + 4);
    if (!ids.has(id) || out.has(id) || rva === 0n) continue;
    const name = rva < 0xffffffffn ? r.string(Number(rva), `name of thread ${id}`) : undefined;
    if (name !== undefined) out.set(id, name);
  }
  return out;
}

export function readThreads(r: DumpReader, s: MinidumpStream, names: MinidumpStream | undefined): ThreadTable {
  const buf = r.buf;
  const size = s.type === 8 ? THREAD_EX_SIZE : THREAD_SIZE;
  const claimed = buf.readUInt32LE(s.rva);
  const present = r.records(s.name, s.rva + 4, s.rva + s.size, claimed, size, 'thread');
  const at = (i: number): number => s.rva + 4 + i * size;
  const record = (o: number): ThreadRecord => ({
    id: buf.readUInt32LE(o),
    teb: buf.readBigUInt64LE(o + 16),
    stack: { start: buf.readBigUInt64LE(o + 24), size: buf.readUInt32LE(o + 32), rva: buf.readUInt32LE(o + 36) },
    context: { size: buf.readUInt32LE(o + 40), rva: buf.readUInt32LE(o + 44) },
  });
  const kept = Math.min(present, MINIDUMP_CAPS.threads);
  if (present > kept) r.problem('capped', `${s.name} holds ${count(present)} threads; the first ${count(kept)} are listed`, at(kept));
  const ids = new Set<number>();
  for (let i = 0; i < kept; i++) ids.add(buf.readUInt32LE(at(i)));
  const named = threadNames(r, names, ids);
  const listed: MinidumpThread[] = [];
  for (let i = 0; i < kept; i++) {
    const o = at(i), t = record(o);
    const name = named.get(t.id);
    listed.push({
      id: t.id, ...(name !== undefined ? { name } : {}),
      suspendCount: buf.readUInt32LE(o + 4), priority: buf.readInt32LE(o + 12), teb: hex(buf.readBigUInt64LE(o + 16)),
      ...(t.stack.size > 0 ? { stack: { start: hex(t.stack.start), size: t.stack.size } } : {}),
    });
  }
  return {
    claimed, listed,
    byId(id) {
      for (let i = 0; i < present; i++) if (buf.readUInt32LE(at(i)) === id) return record(at(i));
      return undefined;
    },
  };
}
