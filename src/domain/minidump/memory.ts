// The process memory a dump carries: MINIDUMP_MEMORY_LIST (stream 5: count, then
// MINIDUMP_MEMORY_DESCRIPTORs {StartOfMemoryRange u64, DataSize u32, Rva u32}) and
// MINIDUMP_MEMORY64_LIST (stream 9: count u64, BaseRva u64, then {Start u64, DataSize u64},
// the data back to back from BaseRva). Ranges are clipped to the bytes present and at most
// MEMORY_RANGES are indexed; reads outside them answer undefined, never the wrong bytes.
import type { DumpReader } from './reader.js';
import { count, type MinidumpStream } from './types.js';

/** Ranges indexed for address reads (real dumps: a few hundred; full dumps: tens of thousands). */
export const MEMORY_RANGES = 65_536;
const DESCRIPTOR_SIZE = 16;

interface Range { start: bigint; end: bigint; rva: number }

export interface Memory {
  /** Pointer-sized (4 or 8 bytes) little-endian read at virtual address `va`. */
  read(va: bigint, bytes: 4 | 8): bigint | undefined;
  /** The captured range containing `va`, as [start, end). */
  rangeOf(va: bigint): { start: bigint; end: bigint } | undefined;
}

/** A Memory over explicit ranges (a thread's Stack descriptor) plus `fallback`. */
export function memoryOf(r: DumpReader, ranges: Range[], fallback?: Memory): Memory {
  const sorted = ranges.filter((x) => x.end > x.start).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const find = (va: bigint): Range | undefined => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.start <= va) lo = mid + 1;
      else hi = mid;
    }
    const c = sorted[lo - 1];
    return c && va < c.end ? c : undefined;
  };
  return {
    read(va, bytes) {
      const c = find(va);
      if (!c || va + BigInt(bytes) > c.end) return fallback?.read(va, bytes);
      const at = c.rva + Number(va - c.start);
      return bytes === 8 ? r.buf.readBigUInt64LE(at) : BigInt(r.buf.readUInt32LE(at));
    },
    rangeOf(va) {
      const c = find(va);
      return c ? { start: c.start, end: c.end } : fallback?.rangeOf(va);
    },
  };
}

/** [start, start+size) at `rva`, clipped to the buffer; undefined when nothing is present. */
export function clippedRange(r: DumpReader, start: bigint, size: number, rva: number): Range | undefined {
  const have = Math.min(size, Math.max(0, r.buf.length - rva));
  return have > 0 && rva < r.buf.length ? { start, end: start + BigInt(have), rva } : undefined;
}

export function readMemory(r: DumpReader, streams: { list?: MinidumpStream; list64?: MinidumpStream }): Memory {
  const ranges: Range[] = [];
  const buf = r.buf;
  const s = streams.list;
  if (s) {
    const n = r.records(s.name, s.rva + 4, s.rva + s.size, buf.readUInt32LE(s.rva), DESCRIPTOR_SIZE, 'memory range');
    for (let i = 0; i < Math.min(n, MEMORY_RANGES); i++) {
      const o = s.rva + 4 + i * DESCRIPTOR_SIZE;
      const range = clippedRange(r, buf.readBigUInt64LE(o), buf.readUInt32LE(o + 8), buf.readUInt32LE(o + 12));
      if (range) ranges.push(range);
    }
    if (n > MEMORY_RANGES) r.problem('capped', `${s.name} holds ${count(n)} ranges; the first ${count(MEMORY_RANGES)} are read`, s.rva);
  }
  const s64 = streams.list64;
  if (s64 && r.fits(s64.rva, 16, s64.name)) {
    const claimed = buf.readBigUInt64LE(s64.rva);
    const n = r.records(s64.name, s64.rva + 16, s64.rva + s64.size, claimed > 0xffffffffn ? 0xffffffff : Number(claimed), DESCRIPTOR_SIZE, 'memory range');
    let rva = buf.readBigUInt64LE(s64.rva + 8);
    for (let i = 0; i < Math.min(n, MEMORY_RANGES) && rva < BigInt(buf.length); i++) {
      const o = s64.rva + 16 + i * DESCRIPTOR_SIZE;
      const size = buf.readBigUInt64LE(o + 8);
      const range = clippedRange(r, buf.readBigUInt64LE(o), size > BigInt(buf.length) ? buf.length : Number(size), Number(rva));
      if (range) ranges.push(range);
      rva += size;
    }
    if (n > MEMORY_RANGES) r.problem('capped', `${s64.name} holds ${count(n)} ranges; the first ${count(MEMORY_RANGES)} are read`, s64.rva);
  }
  return memoryOf(r, ranges);
}


export interface MemoryTotals {
  /** The list the dump carries (a full or heap dump: Memory64List). */
  list: 'MemoryList' | 'Memory64List';
  /** Ranges whose descriptors are present (of `claimed`). */
  ranges: number;
  claimed: number;
  /** Bytes those descriptors say were captured. */
  bytes: number;
}

/** How much process memory the dump says it captured: descriptors are read where they lie, so
 * a heap dump of gigabytes costs one pass over its descriptor list (16 bytes per range), never
 * its memory. Problems with the list are left to readMemory. */
export function memoryTotals(r: DumpReader, streams: { list?: MinidumpStream; list64?: MinidumpStream }): MemoryTotals | undefined {
  const buf = r.buf;
  const present = (first: number, end: number, claimed: number): number =>
    Math.max(0, Math.min(claimed, Math.floor((end - first) / DESCRIPTOR_SIZE), Math.floor((buf.length - first) / DESCRIPTOR_SIZE)));
  const s64 = streams.list64;
  if (s64 && r.has(s64.rva, 16)) {
    const c = buf.readBigUInt64LE(s64.rva);
    const claimed = c > 0xffffffffn ? 0xffffffff : Number(c);
    const n = present(s64.rva + 16, s64.rva + s64.size, claimed);
    let bytes = 0n;
    for (let i = 0; i < n; i++) bytes += buf.readBigUInt64LE(s64.rva + 16 + i * DESCRIPTOR_SIZE + 8);
    return { list: 'Memory64List', ranges: n, claimed, bytes: Number(bytes) };
  }
  const s = streams.list;
  if (s && r.has(s.rva, 4)) {
    const claimed = buf.readUInt32LE(s.rva);
    const n = present(s.rva + 4, s.rva + s.size, claimed);
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += buf.readUInt32LE(s.rva + 4 + i * DESCRIPTOR_SIZE + 8);
    return { list: 'MemoryList', ranges: n, claimed, bytes };
  }
  return undefined;
}
