// MINIDUMP_MODULE_LIST: NumberOfModules, then 108-byte MINIDUMP_MODULEs (some writers pad the
// count to 8 bytes; the DataSize tells). Only the records actually present are looked at; the
// first MINIDUMP_CAPS.modules become full entries, the first MINIDUMP_CAPS.moduleIndex go into
// a sorted address index, and the rest are only counted. Names are decoded per RVA once, so
// many records sharing one long name cost one decode.
import type { DumpBytes } from './dump-bytes.js';
import { codeId, readCodeView } from './codeview.js';
import type { DumpReader } from './reader.js';
import {
  MINIDUMP_CAPS, MODULE_SIZE, VS_FFI_SIGNATURE, count, hex, isoTime,
  type MinidumpModule, type MinidumpStream,
} from './types.js';

/** A module found by address: its record index, base and the offset of the address. */
export interface ModuleHit { index: number; base: bigint; size: number; offset: bigint }

export interface ModuleTable {
  /** Records present in the stream. */
  present: number;
  /** The first MINIDUMP_CAPS.modules records, decoded. */
  kept: MinidumpModule[];
  /** Distinct ModuleNameRva values among the present records. */
  distinctNames: number;
  /** The module containing `address`; `exhaustive` also scans records beyond the index. */
  find(address: bigint, exhaustive?: boolean): ModuleHit | undefined;
  /** Decoded record `index` (kept ones are returned as they are); its name is decoded outside
   * the text budget, so call it only for a bounded few (the faulting module). */
  module(index: number): MinidumpModule;
}

function decodeModule(r: DumpReader, o: number, i: number, free = false): MinidumpModule {
  const buf = r.buf;
  const ts = buf.readUInt32LE(o + 16);
  const ffi = o + 24; // VS_FIXEDFILEINFO
  const ms = buf.readUInt32LE(ffi + 8), ls = buf.readUInt32LE(ffi + 12);
  const size = buf.readUInt32LE(o + 8);
  const debug = readCodeView(r, buf.readUInt32LE(o + 76), buf.readUInt32LE(o + 80), `CodeView record of module ${i}`);
  return {
    name: r.string(buf.readUInt32LE(o + 20), `name of module ${i}`, free) ?? `<module ${i}>`,
    base: hex(buf.readBigUInt64LE(o)), size, checksum: buf.readUInt32LE(o + 12),
    timeDateStamp: ts, time: isoTime(ts),
    ...(buf.readUInt32LE(ffi) === VS_FFI_SIGNATURE ? { version: `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}` } : {}),
    codeId: codeId(ts, size),
    ...(debug ? { debug } : {}),
  };
}

function distinctRvas(buf: DumpBytes, first: number, n: number): number {
  const rvas = new Uint32Array(n);
  for (let i = 0; i < n; i++) rvas[i] = buf.readUInt32LE(first + i * MODULE_SIZE + 20);
  rvas.sort();
  let d = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (rvas[i] !== rvas[i - 1]) d++;
  return d;
}

export function readModules(r: DumpReader, s: MinidumpStream): ModuleTable {
  const buf = r.buf;
  const n = buf.readUInt32LE(s.rva);
  const first = s.rva + (s.size === 8 + n * MODULE_SIZE ? 8 : 4);
  const present = r.records(s.name, first, s.rva + s.size, n, MODULE_SIZE, 'module');
  const at = (i: number): number => first + i * MODULE_SIZE;
  const kept: MinidumpModule[] = [];
  for (let i = 0; i < Math.min(present, MINIDUMP_CAPS.modules); i++) kept.push(decodeModule(r, at(i), i));
  if (present > MINIDUMP_CAPS.modules) r.problem('capped', `${s.name} holds ${count(present)} modules; the first ${count(MINIDUMP_CAPS.modules)} are listed`, at(MINIDUMP_CAPS.modules));

  // Sorted index over the first moduleIndex records, built on the first lookup.
  const indexed = Math.min(present, MINIDUMP_CAPS.moduleIndex);
  let order: Uint32Array | undefined;
  let bases: BigUint64Array | undefined;
  const index = (): { order: Uint32Array; bases: BigUint64Array } => {
    if (!order || !bases) {
      bases = new BigUint64Array(indexed);
      for (let i = 0; i < indexed; i++) bases[i] = buf.readBigUInt64LE(at(i));
      const b = bases;
      order = new Uint32Array(indexed).map((_, i) => i).sort((x, y) => (b[x]! < b[y]! ? -1 : b[x]! > b[y]! ? 1 : x - y));
    }
    return { order, bases };
  };
  const hitAt = (i: number, address: bigint): ModuleHit | undefined => {
    const base = buf.readBigUInt64LE(at(i)), size = buf.readUInt32LE(at(i) + 8);
    return address >= base && address < base + BigInt(size) ? { index: i, base, size, offset: address - base } : undefined;
  };

  return {
    present, kept,
    distinctNames: distinctRvas(buf, first, present),
    find(address, exhaustive = false) {
      if (indexed > 0) {
        const { order: o, bases: b } = index();
        // last module whose base is <= address
        let lo = 0, hi = o.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (b[o[mid]!]! <= address) lo = mid + 1;
          else hi = mid;
        }
        // overlapping images are rare; look a few bases back in case the nearest is small
        for (let k = lo - 1; k >= 0 && k >= lo - 4; k--) {
          const hit = hitAt(o[k]!, address);
          if (hit) return hit;
        }
      }
      if (exhaustive) for (let i = indexed; i < present; i++) {
        const hit = hitAt(i, address);
        if (hit) return hit;
      }
      return undefined;
    },
    module: (i) => {
      const k = kept[i];
      return k && !/^<module \d+>$/.test(k.name) ? k : decodeModule(r, at(i), i, true);
    },
  };
}

/** The module whose [BaseOfImage, +SizeOfImage) contains `address`, and the offset into it. */
export function moduleAt(modules: MinidumpModule[], address: bigint | string): { module: MinidumpModule; offset: bigint } | undefined {
  const a = BigInt(address);
  for (const m of modules) {
    const base = BigInt(m.base);
    if (a >= base && a < base + BigInt(m.size)) return { module: m, offset: a - base };
  }
  return undefined;
}
