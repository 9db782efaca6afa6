// A module's CodeView record (MINIDUMP_MODULE.CvRecord), which names its PDB for symbol lookup:
// 'RSDS' {GUID (u32, u16, u16, u8[8]), Age u32, PdbFileName UTF-8 NUL-terminated} or the older
// 'NB10' {Offset u32, Signature u32, Age u32, PdbFileName}. The symbol-server key is
// name.pdb/GUIDAGE/name.pdb with the GUID as uppercase hex without dashes and the age in hex.
import type { DumpReader } from './reader.js';
import { MINIDUMP_CAPS, type MinidumpDebugId } from './types.js';

const RSDS = 0x53445352, NB10 = 0x3031424e;

const h = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** Breakpad's code id: TimeDateStamp %08X followed by SizeOfImage %x. */
export function codeId(timeDateStamp: number, sizeOfImage: number): string {
  return `${h(timeDateStamp, 8)}${sizeOfImage.toString(16)}`;
}

/** File part of a Windows or POSIX path. */
export const baseName = (p: string): string => p.replace(/^.*[\\/]/, '');

export function readCodeView(r: DumpReader, size: number, rva: number, what: string): MinidumpDebugId | undefined {
  if (size === 0 && rva === 0) return undefined;
  if (size < 4 || !r.fits(rva, Math.min(size, 24), what)) return undefined;
  const b = r.buf;
  const sig = b.readUInt32LE(rva);
  const nameAt = sig === RSDS ? 24 : sig === NB10 ? 16 : -1;
  if (nameAt < 0) return undefined; // CodeView 4 / other formats: nothing to key on
  if (size < nameAt || !r.fits(rva, nameAt, what)) return undefined;
  const end = Math.min(rva + size, b.length, rva + nameAt + MINIDUMP_CAPS.nameChars);
  const raw = b.subarray(rva + nameAt, end);
  const nul = raw.indexOf(0);
  const pdb = r.spend(raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8'), what, rva) ?? '';
  let guid: string, age: number;
  if (sig === RSDS) {
    guid = h(b.readUInt32LE(rva + 4), 8) + h(b.readUInt16LE(rva + 8), 4) + h(b.readUInt16LE(rva + 10), 4)
      + [...b.subarray(rva + 12, rva + 20)].map((x) => h(x, 2)).join('');
    age = b.readUInt32LE(rva + 20);
  } else {
    guid = h(b.readUInt32LE(rva + 8), 8);
    age = b.readUInt32LE(rva + 12);
  }
  const file = baseName(pdb);
  return { format: sig === RSDS ? 'RSDS' : 'NB10', pdb, guid, age, key: `${file}/${guid}${age.toString(16).toUpperCase()}/${file}` };
}
