// Test factory: builds cabinets byte by byte with features our writer deliberately lacks
// (reserve areas, multi-cabinet links, arbitrary typeCompress, continued iFolder markers, bad
// checksums), so the parser and extractor can be fed every shape [MS-CAB] allows.
import { cabChecksum } from '../../../src/domain/cab/cab.js';

export interface RawBlock { payload: Buffer; cbUncomp?: number; csum?: number }
export interface RawFolder { typeCompress: number; blocks: RawBlock[]; reserve?: Buffer }
export interface RawFile {
  name: string | Buffer; size: number; uoff: number; iFolder: number;
  date?: number; time?: number; attribs?: number;
}
export interface RawCab {
  setID?: number;
  iCabinet?: number;
  prev?: [cabinet: string, disk: string];
  next?: [cabinet: string, disk: string];
  reserve?: { header: Buffer; folder: number; data: number };
  folders: RawFolder[];
  files: RawFile[];
}

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const z = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(1)]);

export function buildRawCab(spec: RawCab): Buffer {
  const flags = (spec.prev ? 1 : 0) | (spec.next ? 2 : 0) | (spec.reserve ? 4 : 0);
  const r = spec.reserve;
  const tail = Buffer.concat([
    r ? Buffer.concat([u16(r.header.length), Buffer.from([r.folder, r.data]), r.header]) : Buffer.alloc(0),
    spec.prev ? Buffer.concat([z(spec.prev[0]), z(spec.prev[1])]) : Buffer.alloc(0),
    spec.next ? Buffer.concat([z(spec.next[0]), z(spec.next[1])]) : Buffer.alloc(0),
  ]);
  const folderSize = 8 + (r?.folder ?? 0);
  const coffFiles = 36 + tail.length + spec.folders.length * folderSize;
  const files = Buffer.concat(spec.files.map((f) => Buffer.concat([
    u32(f.size), u32(f.uoff), u16(f.iFolder), u16(f.date ?? 0x58ae), u16(f.time ?? 0x4b5b), u16(f.attribs ?? 0x20),
    typeof f.name === 'string' ? z(f.name) : Buffer.concat([f.name, Buffer.alloc(1)]),
  ])));
  let pos = coffFiles + files.length;
  const folderRecs: Buffer[] = [];
  const data: Buffer[] = [];
  for (const f of spec.folders) {
    folderRecs.push(Buffer.concat([u32(pos), u16(f.blocks.length), u16(f.typeCompress),
      f.reserve ?? Buffer.alloc(r?.folder ?? 0)]));
    for (const b of f.blocks) {
      const sizes = Buffer.concat([u16(b.payload.length), u16(b.cbUncomp ?? b.payload.length)]);
      const csum = b.csum ?? cabChecksum(sizes, cabChecksum(b.payload));
      const blk = Buffer.concat([u32(csum), sizes, Buffer.alloc(r?.data ?? 0, 0xab), b.payload]);
      data.push(blk);
      pos += blk.length;
    }
  }
  const head = Buffer.concat([Buffer.from('MSCF'), u32(0), u32(pos), u32(0), u32(coffFiles), u32(0),
    Buffer.from([3, 1]), u16(spec.folders.length), u16(spec.files.length), u16(flags),
    u16(spec.setID ?? 0), u16(spec.iCabinet ?? 0)]);
  return Buffer.concat([head, tail, ...folderRecs, files, ...data]);
}
