// A peer for the cab-lzx benchmark: the least a Node program can do to extract an MSZIP CAB
// with node:zlib — no checks, no listing, no summaries; one folder, files written in folder
// order. Each CFDATA block is a raw deflate stream whose window is the previous block's 32 KiB
// of output (MS-MCI 2.3), so each needs a zlib stream of its own with that dictionary: what
// `wer-sniff cab --extract` does too. `node bench/minimal-mszip.js <out-dir> <file.cab>`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [outDir, file] = process.argv.slice(2);
const cab = fs.readFileSync(file);
if (cab.toString('latin1', 0, 4) !== 'MSCF') throw new Error('not a CAB');
const flags = cab.readUInt16LE(30);
let at = 36;
let folderReserve = 0;
let dataReserve = 0;
if (flags & 4) {
  const headerReserve = cab.readUInt16LE(36);
  folderReserve = cab[38];
  dataReserve = cab[39];
  at = 40 + headerReserve;
}
if (cab.readUInt16LE(26) !== 1) throw new Error('one folder only');
const dataStart = cab.readUInt32LE(at);
const blocks = cab.readUInt16LE(at + 4);
if ((cab.readUInt16LE(at + 6) & 0xf) !== 1) throw new Error('MSZIP only');
at += 8 + folderReserve;
// Files in folder order: name, offset in the folder's stream, size.
const files = [];
let f = cab.readUInt32LE(16);
for (let i = cab.readUInt16LE(28); i > 0; i--) {
  const size = cab.readUInt32LE(f);
  const offset = cab.readUInt32LE(f + 4);
  const end = cab.indexOf(0, f + 16);
  files.push({ name: cab.toString('latin1', f + 16, end), offset, size });
  f = end + 1;
}
files.sort((a, b) => a.offset - b.offset);
fs.mkdirSync(outDir, { recursive: true });
let fileIndex = 0;
let fd = -1;
let pos = 0; // position in the folder's uncompressed stream
let window;
let d = dataStart;
for (let b = 0; b < blocks; b++) {
  const packed = cab.readUInt16LE(d + 4);
  const start = d + 8 + dataReserve;
  const out = zlib.inflateRawSync(cab.subarray(start + 2, start + packed), window ? { dictionary: window } : {});
  window = out.length >= 32768 ? out.subarray(out.length - 32768) : Buffer.concat([window ?? Buffer.alloc(0), out]).subarray(-32768);
  // Hand each part of the block to the file it belongs to.
  let o = 0;
  while (o < out.length && fileIndex < files.length) {
    const cur = files[fileIndex];
    if (fd < 0) fd = fs.openSync(path.join(outDir, cur.name), 'w');
    const n = Math.min(out.length - o, cur.offset + cur.size - pos);
    if (n > 0) fs.writeSync(fd, out, o, n);
    o += n;
    pos += n;
    if (pos >= cur.offset + cur.size) {
      fs.closeSync(fd);
      fd = -1;
      fileIndex++;
    }
  }
  d = start + packed;
}
if (fd >= 0) fs.closeSync(fd);
