// A one-file, one-folder MSZIP cabinet written to disk block by block, for benchmark uploads
// too large to hold in memory (src/domain/cab/cab-writer.ts builds the whole CAB in one
// buffer). The file's bytes come from `fill(offset, into)`, 32 KiB at a time; only the current
// and the previous block (MSZIP's history) are held. cbCabinet is patched in at the end.
// `cabextract -t` accepts what this writes (checked by `node bench/cab-stream-writer.js`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deflateMszipBlock, MSZIP_BLOCK } from '../dist/domain/cab/mszip.js';
import {
  cabChecksum, CAB_SIGNATURE, CFDATA_SIZE, CFFILE_SIZE, CFFOLDER_SIZE, CFHEADER_SIZE,
} from '../dist/domain/cab/cab.js';

/** [MS-CAB] §2.2: cCFData is 16 bits, cbUncomp at most 32 KiB: a folder holds < 2 GiB. */
const MAX_BLOCKS = 0xffff;
const WRITE_BYTES = 1024 * 1024;

/** Writes `file`: a CAB holding one file `name` of `size` bytes, asking `fill(offset, into)`
 * for them in order (`into` may be up to 3 bytes longer than the file has left). Returns the
 * CAB's size. */
export function writeCabFile(file, name, size, fill) {
  const blocks = Math.ceil(size / MSZIP_BLOCK);
  if (blocks > MAX_BLOCKS) throw new RangeError(`${size} bytes need ${blocks} CFDATA blocks, one folder holds ${MAX_BLOCKS}`);
  const nameBytes = Buffer.from(name, 'latin1');
  const coffFiles = CFHEADER_SIZE + CFFOLDER_SIZE;
  const coffCabStart = coffFiles + CFFILE_SIZE + nameBytes.length + 1;
  const head = Buffer.alloc(coffCabStart);
  head.writeUInt32LE(CAB_SIGNATURE, 0);
  head.writeUInt32LE(coffFiles, 16);
  head[24] = 3; // versionMinor
  head[25] = 1; // versionMajor
  head.writeUInt16LE(1, 26); // cFolders
  head.writeUInt16LE(1, 28); // cFiles
  head.writeUInt32LE(coffCabStart, CFHEADER_SIZE);
  head.writeUInt16LE(blocks, CFHEADER_SIZE + 4);
  head.writeUInt16LE(1, CFHEADER_SIZE + 6); // MSZIP
  const rec = coffFiles;
  head.writeUInt32LE(size, rec);
  head.writeUInt16LE((1 << 5) | 1, rec + 10); // 1980-01-01
  head.writeUInt16LE(0x20, rec + 14); // archive
  nameBytes.copy(head, rec + CFFILE_SIZE);

  const tmp = `${file}.${process.pid}.part`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let total = 0;
    const out = [];
    let outBytes = 0;
    const emit = (b) => {
      out.push(b);
      outBytes += b.length;
      total += b.length;
      if (outBytes >= WRITE_BYTES) flush();
    };
    const flush = () => {
      const all = Buffer.concat(out, outBytes);
      for (let off = 0; off < all.length;) off += fs.writeSync(fd, all, off);
      out.length = 0;
      outBytes = 0;
    };
    emit(head);
    let prev = Buffer.alloc(0);
    for (let off = 0; off < size; off += MSZIP_BLOCK) {
      const n = Math.min(MSZIP_BLOCK, size - off);
      const whole = Buffer.alloc((n + 3) & ~3); // `fill` may write whole words
      fill(off, whole);
      const chunk = whole.subarray(0, n);
      const payload = deflateMszipBlock(chunk, prev);
      const b = Buffer.alloc(CFDATA_SIZE + payload.length);
      b.writeUInt16LE(payload.length, 4);
      b.writeUInt16LE(chunk.length, 6);
      b.writeUInt32LE(cabChecksum(b.subarray(4, 8), cabChecksum(payload)), 0);
      payload.copy(b, CFDATA_SIZE);
      emit(b);
      prev = chunk;
    }
    flush();
    const cb = Buffer.alloc(4);
    cb.writeUInt32LE(total, 0);
    fs.writeSync(fd, cb, 0, 4, 8); // cbCabinet
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    return total;
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* closed already */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The dump pattern of bench/hostile-cab.js's 60 MB case, for any offset: a linear
 * congruential word every 4 bytes in alternate 4 KiB runs, zeros in the others (~1.9:1 with
 * MSZIP), with `head` over the first bytes. Calls must come in order (the generator runs on). */
export function dumpFiller(head) {
  let x = 12345;
  return (off, into) => {
    for (let i = 0; i < into.length; i += 4) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      into.writeUInt32LE(((off + i) & 0x1000) ? 0 : x, i);
    }
    if (off < head.length) head.copy(into, 0, off, Math.min(head.length, off + into.length));
  };
}

// `node bench/cab-stream-writer.js [MiB]`: writes a test CAB and has cabextract check it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mib = Number(process.argv[2] ?? 4);
  const file = path.join(os.tmpdir(), `wer-sniff-cab-stream-check-${process.pid}.cab`);
  try {
    const t = Date.now();
    const n = writeCabFile(file, 'WER1.tmp.mdmp', mib * 1024 * 1024 + 123, dumpFiller(Buffer.from('MDMP')));
    console.log(`${n} bytes in ${Date.now() - t} ms`);
    console.log(execFileSync('cabextract', ['-t', file]).toString());
  } finally {
    fs.rmSync(file, { force: true });
  }
}
