// The CPU CONTEXT records a dump stores per thread and for the exception (winnt.h layouts):
// x86 CONTEXT (716 bytes: Ebp @180, Eip @184, Esp @196), AMD64 CONTEXT (1232 bytes: Rsp @152,
// Rbp @160, Rip @248) and ARM64 CONTEXT (912 bytes: X0-X28 @8, Fp @240, Lr @248, Sp @256,
// Pc @264). Only the registers a stack walk starts from are read.
import type { DumpReader } from './reader.js';

export type ContextArch = 'x86' | 'AMD64' | 'ARM64';

export interface CpuContext {
  arch: ContextArch;
  /** Pointer size in bytes. */
  pointer: 4 | 8;
  ip: bigint;
  sp: bigint;
  /** EBP / RBP / X29. */
  fp: bigint;
  /** ARM64 link register X30. */
  lr?: bigint;
}

export const CONTEXT_SIZE: Record<ContextArch, number> = { x86: 716, AMD64: 1232, ARM64: 912 };
/** CONTEXT_i386, CONTEXT_AMD64, CONTEXT_ARM64 bits of ContextFlags. */
const CONTEXT_FLAG: Record<ContextArch, number> = { x86: 0x00010000, AMD64: 0x00100000, ARM64: 0x00400000 };

/** The architecture named by the system info, or by the context's own ContextFlags. */
export function contextArch(archCode: number | undefined, r: DumpReader, rva: number, size: number): ContextArch | undefined {
  if (archCode === 0) return 'x86';
  if (archCode === 9) return 'AMD64';
  if (archCode === 12) return 'ARM64';
  if (archCode !== undefined && archCode !== 0xffff) return undefined;
  // ContextFlags: at offset 0 (x86, ARM64) or 48 (AMD64, after the P1Home..P6Home spill area)
  const flagsAt = (at: number): number => (r.has(rva + at, 4) ? r.buf.readUInt32LE(rva + at) & 0xffff0000 : 0);
  if (size >= CONTEXT_SIZE.AMD64 && flagsAt(48) === CONTEXT_FLAG.AMD64) return 'AMD64';
  if (size >= CONTEXT_SIZE.ARM64 && flagsAt(0) === CONTEXT_FLAG.ARM64) return 'ARM64';
  if (size >= CONTEXT_SIZE.x86 && flagsAt(0) === CONTEXT_FLAG.x86) return 'x86';
  return undefined;
}

/** The CONTEXT at [rva, rva+size), when it is large enough for `arch` and inside the buffer. */
export function readContext(r: DumpReader, arch: ContextArch, rva: number, size: number, what: string): CpuContext | undefined {
  if (rva === 0 && size === 0) return undefined;
  const need = arch === 'x86' ? 200 : arch === 'AMD64' ? 256 : 272; // through the last register read
  if (size < need) {
    r.problem('stream-too-small', `${what} is ${size} bytes, an ${arch} CONTEXT needs ${CONTEXT_SIZE[arch]}`, rva);
    return undefined;
  }
  if (!r.fits(rva, need, what)) return undefined;
  const b = r.buf;
  if (arch === 'x86') {
    return { arch, pointer: 4, ip: BigInt(b.readUInt32LE(rva + 184)), sp: BigInt(b.readUInt32LE(rva + 196)), fp: BigInt(b.readUInt32LE(rva + 180)) };
  }
  if (arch === 'AMD64') {
    return { arch, pointer: 8, ip: b.readBigUInt64LE(rva + 248), sp: b.readBigUInt64LE(rva + 152), fp: b.readBigUInt64LE(rva + 160) };
  }
  return { arch, pointer: 8, ip: b.readBigUInt64LE(rva + 264), sp: b.readBigUInt64LE(rva + 256), fp: b.readBigUInt64LE(rva + 240), lr: b.readBigUInt64LE(rva + 248) };
}
