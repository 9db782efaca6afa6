// Damaged and hostile LZX input: a problem naming file, folder and block, never an exception,
// never bytes that differ from the original or from what cabextract makes of the same input.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cabChecksum, CFDATA_SIZE, parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { LzxDecoder } from '../../../src/domain/cab/lzx/lzx-decoder.js';
import { writeCab, type CabInputFile } from '../../../src/domain/cab/cab-writer.js';
import { lzxCompressFolder } from '../../../src/domain/cab/lzx/lzx-encoder.js';
import { buildRawCab } from './raw-cab.js';
import { cabextractFiles, HAS_CABEXTRACT, NO_CABEXTRACT } from './cabextract.js';
import { mixedData, noise, x86Like, xorshift } from './lzx-data.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const sha = (b?: Buffer): string => (b ? createHash('sha256').update(b).digest('hex') : 'missing');

const files: CabInputFile[] = [
  { name: 'a.bin', data: mixedData(70_000) },
  { name: 'b.dll', data: x86Like(60_000) },
  { name: 'c.txt', data: Buffer.from('tail '.repeat(3000)) },
];
const variants = {
  verbatim: writeCab(files, { compression: 'lzx', lzx: { windowBits: 16, e8TranslationSize: 12_000_000 } }),
  aligned: writeCab(files, { compression: 'lzx', lzx: { windowBits: 15, blocks: 'aligned', framesPerBlock: 2 } }),
  uncompressed: writeCab(files, { compression: 'lzx', lzx: { blocks: 'uncompressed', framesPerBlock: 3 } }),
};

/** Offsets of the CFDATA headers of folder 0. */
function cfdata(cab: Buffer): number[] {
  const f = parseCab(cab).folders[0]!;
  const at: number[] = [];
  for (let i = 0, p = f.coffCabStart; i < f.cCFData; i++, p += CFDATA_SIZE + cab.readUInt16LE(p + 4)) at.push(p);
  return at;
}

function fixChecksums(cab: Buffer): void {
  for (const p of cfdata(cab)) {
    const cb = cab.readUInt16LE(p + 4);
    cab.writeUInt32LE(cabChecksum(cab.subarray(p + 4, p + 8), cabChecksum(cab.subarray(p + 8, p + 8 + cb))), p);
  }
}

/** Every file has data equal to the original, or an error; returns the errors. */
function neverWrong(cab: Buffer): string[] {
  const out = extractCab(cab);
  const errors: string[] = [];
  out.forEach((f, i) => {
    if (f.data) expect(sha(f.data), f.name).toBe(sha(files[i]!.data));
    else errors.push(`${f.name}: ${f.error!.code}: ${f.error!.message}`);
  });
  return errors;
}

describe('damaged LZX cabinets', () => {
  for (const [name, cab] of Object.entries(variants)) {
    it(`${name}: every truncation gives the original bytes or a problem`, () => {
      for (let cut = cab.length - 1; cut > 200; cut -= 997) neverWrong(cab.subarray(0, cut));
    });

    it(`${name}: a flipped payload bit with its checksum intact taints that block's file and all after`, () => {
      const bad = Buffer.from(cab);
      const second = cfdata(bad)[1]!;
      bad[second + CFDATA_SIZE + 40] ^= 0x10;
      const errors = neverWrong(bad);
      // Block 2 holds bytes 32768..65535: inside a.bin, so every file is tainted.
      expect(errors).toEqual(files.map((f) => `${f.name}: checksum: CFDATA block 2 of folder 0 failed its checksum`));
    });
  }

  it('a short CFDATA block that is not the last one is refused, naming folder and block', () => {
    const bad = Buffer.from(variants.uncompressed);
    bad.writeUInt16LE(32000, cfdata(bad)[0]! + 6);
    fixChecksums(bad);
    expect(neverWrong(bad)[0]).toBe('a.bin: lzx-error: CFDATA block 2 of folder 0: LZX: a frame follows a short one: only the last frame may be under 32768 bytes');
    // Compressed, the first frame already ends mid-match.
    const short = Buffer.from(variants.verbatim);
    short.writeUInt16LE(32000, cfdata(short)[0]! + 6);
    fixChecksums(short);
    expect(neverWrong(short)[0]).toMatch(/^a\.bin: lzx-error: CFDATA block 1 of folder 0: LZX: /);
  });

  it('300 LZX folders whose files claim 2 GB each: out-of-range problems, memory as decoded', () => {
    const frame = lzxCompressFolder(Buffer.alloc(32768), { windowBits: 21 })[0]!;
    const cab = buildRawCab({
      folders: Array.from({ length: 300 }, () => ({ typeCompress: 0x1503, blocks: [{ payload: frame.payload, cbUncomp: 32768 }] })),
      files: Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, size: 0x7fff0000, uoff: 0, iFolder: i })),
    });
    const rss = process.memoryUsage().rss;
    const t0 = cpuMs();
    const out = extractCab(cab);
    expect(new Set(out.map((f) => f.error?.code))).toEqual(new Set(['out-of-range']));
    expect(out[7]!.error!.message).toBe('bytes 0–2147418112 lie beyond folder 7\'s 32768 uncompressed bytes');
    expect(cpuMs() - t0).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(400 * 1024 * 1024);
  });

  it('a file listed beyond the folder\'s data is out-of-range, not garbage', () => {
    const cab = writeCab([{ name: 'x', data: mixedData(40_000) }], { compression: 'lzx' });
    cab.writeUInt32LE(90_000, parseCab(cab).header!.coffFiles);
    expect(extractCab(cab)[0]!.error?.code).toBe('out-of-range');
  });
});

describe('LzxDecoder on hostile payloads', () => {
  it('garbage never throws, and work stays bounded (1,000 frames in well under a few seconds)', () => {
    const r = xorshift(99);
    const t0 = cpuMs();
    let failed = 0;
    for (let i = 0; i < 1000; i++) {
      const d = new LzxDecoder(15 + (i % 7));
      const res = d.frame(noise(1 + (r() % 40_000), i), 1 + (r() % 32768), true);
      if (!res.ok) failed++;
    }
    // Noise can be a valid stream (an uncompressed block, say); most of it is not.
    expect(failed).toBeGreaterThan(800);
    expect(cpuMs() - t0).toBeLessThan(10_000);
  });

  it('after an error every later frame fails too', () => {
    const d = new LzxDecoder(16);
    expect(d.frame(Buffer.from([0xff, 0xff]), 32768, false).ok).toBe(false);
    const again = d.frame(Buffer.alloc(100), 100, true);
    expect(again.ok ? 'ok' : again.message).toMatch(/^not decoded after an earlier LZX error/);
  });

  it('an uncompressed block built by hand from the spec decodes; cut short it is a problem', () => {
    // E8 bit 0, type 3 (011), size 5 (24 bits): 0011 0000 0000 0000 | 0000 0000 0101 + 4 pad bits.
    const head = Buffer.from([0x00, 0x30, 0x50, 0x00]);
    const rs = Buffer.alloc(12);
    rs.writeUInt32LE(1, 0); rs.writeUInt32LE(1, 4); rs.writeUInt32LE(1, 8);
    const stream = Buffer.concat([head, rs, Buffer.from('hello'), Buffer.from([0])]);
    const ok = new LzxDecoder(15).frame(stream, 5, true);
    expect(ok.ok && ok.data.toString()).toBe('hello');
    const cut = new LzxDecoder(15).frame(stream.subarray(0, 18), 5, true);
    expect(cut.ok ? 'ok' : cut.message).toBe('LZX: an uncompressed block needs 3 bytes more than the CFDATA payload holds');
  });
});

describe.skipIf(!HAS_CABEXTRACT)(`bit flips with fixed checksums: whatever we extract, cabextract extracts the same${NO_CABEXTRACT}`, () => {
  for (const [name, cab] of Object.entries(variants)) {
    it(name, () => {
      const r = xorshift(name.length * 7919);
      const at = cfdata(cab);
      let ourFails = 0;
      for (let round = 0; round < 25; round++) {
        const bad = Buffer.from(cab);
        // Mostly the first bytes of a payload: block headers and Huffman trees live there.
        const p = at[r() % at.length]!;
        const cb = bad.readUInt16LE(p + 4);
        bad[p + CFDATA_SIZE + (r() % Math.min(cb, round % 2 ? cb : 96))] ^= 1 << (r() % 8);
        fixChecksums(bad);
        const ours = extractCab(bad);
        const theirs = cabextractFiles(bad);
        for (const f of ours) {
          if (!f.data) { ourFails++; continue; }
          expect(sha(theirs.get(f.name)), `round ${round}: ${f.name}`).toBe(sha(f.data));
        }
      }
      // Flips in raw bytes of uncompressed blocks just change the data.
      if (name !== 'uncompressed') expect(ourFails).toBeGreaterThan(0);
    });
  }
});
