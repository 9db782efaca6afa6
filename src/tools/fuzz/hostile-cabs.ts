// Hostile but well-formed cabinets (valid checksums, valid MSZIP), as the red team built them:
// MSZIP bombs, file records overlapping one folder, a text file that is one enormous line.
// Used by the tests, the fuzzer's seeds and bench/hostile-cab.js; small to build (a few MB).
import { deflateRawSync } from 'node:zlib';
import { cabChecksum } from '../../domain/cab/cab.js';
import { MSZIP_BLOCK } from '../../domain/cab/mszip.js';

export interface HostileFile { name: string; folder: number; uoff: number; size: number }

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

/** One CFDATA block (checksummed) holding an MSZIP payload for `plain` (≤ 32 KiB). The same
 * bytes serve every block of a folder: a block that needs no history decodes with any. */
function mszipBlock(plain: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from('CK'), deflateRawSync(plain, { level: 9 })]);
  const sizes = Buffer.concat([u16(payload.length), u16(plain.length)]);
  return Buffer.concat([u32(cabChecksum(sizes, cabChecksum(payload))), sizes, payload]);
}

/** A cabinet of `folders` MSZIP folders, each `blocks` repeats of one 32 KiB block of `fill`. */
export function mszipCab(folders: number, blocks: number, files: HostileFile[], plain = Buffer.alloc(MSZIP_BLOCK)): Buffer {
  const block = mszipBlock(plain);
  const records = Buffer.concat(files.map((f) => Buffer.concat([
    u32(f.size), u32(f.uoff), u16(f.folder), u16(0x58ae), u16(0x4b5b), u16(0x20), Buffer.from(f.name + '\0', 'latin1'),
  ])));
  const coffFiles = 36 + folders * 8;
  let pos = coffFiles + records.length;
  const folderRecs: Buffer[] = [];
  for (let i = 0; i < folders; i++) {
    folderRecs.push(Buffer.concat([u32(pos), u16(blocks), u16(1)]));
    pos += blocks * block.length;
  }
  const head = Buffer.concat([Buffer.from('MSCF'), u32(0), u32(pos), u32(0), u32(coffFiles), u32(0),
    Buffer.from([3, 1]), u16(folders), u16(files.length), u16(0), u16(0), u16(0)]);
  const data = Buffer.alloc(folders * blocks * block.length);
  for (let off = 0; off < data.length; off += block.length) block.copy(data, off);
  return Buffer.concat([head, ...folderRecs, records, data]);
}

/** The MSZIP bomb: `folders` folders of `mib` MiB of zeros each, one dump file per folder. */
export function mszipBomb(folders: number, mib: number): Buffer {
  const blocks = mib * 32;
  const size = blocks * MSZIP_BLOCK;
  return mszipCab(folders, blocks, Array.from({ length: folders }, (_, i) => ({ name: `bomb${i}.mdmp`, folder: i, uoff: 0, size })));
}

/** `records` file records all covering the same `mib` MiB folder. */
export function overlapCab(records: number, mib: number, ext = 'bin'): Buffer {
  const blocks = mib * 32;
  const size = blocks * MSZIP_BLOCK;
  return mszipCab(1, blocks, Array.from({ length: records }, (_, i) => ({ name: `copy${i}.${ext}`, folder: 0, uoff: 0, size })));
}

/** A `Version.txt` that is a single line of `mib` MiB of 'A'. */
export function longLineCab(mib: number): Buffer {
  const blocks = mib * 32;
  return mszipCab(1, blocks, [{ name: 'Version.txt', folder: 0, uoff: 0, size: blocks * MSZIP_BLOCK }], Buffer.alloc(MSZIP_BLOCK, 0x41));
}
