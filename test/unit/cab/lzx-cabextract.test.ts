// Our LZX compressor and decoder judged by cabextract (libmspack): every CAB we make must pass
// `cabextract -t` and extract to the input bytes with cabextract and with our extractor.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCab, CFDATA_SIZE } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { writeCab, type CabInputFile } from '../../../src/domain/cab/cab-writer.js';
import type { LzxEncodeOptions } from '../../../src/domain/cab/lzx/lzx-encoder.js';
import { LzxMatcher, LzxTokens } from '../../../src/domain/cab/lzx/lzx-matcher.js';
import { makeCab, makeReport } from '../../../src/tools/sim/kinds.js';
import { cabextractFiles, cabextractTest, HAS_CABEXTRACT, NO_CABEXTRACT } from './cabextract.js';
import { farRepeats, mixedData, noise, repeatsAtAlternatingOffsets, x86Like } from './lzx-data.js';

const sha = (b?: Buffer): string => (b ? createHash('sha256').update(b).digest('hex') : 'missing');

/** CFDATA payloads of the single folder. */
function payloads(cab: Buffer): Buffer[] {
  const parsed = parseCab(cab);
  const f = parsed.folders[0]!;
  const out: Buffer[] = [];
  for (let i = 0, p = f.coffCabStart; i < f.cCFData; i++) {
    const cb = cab.readUInt16LE(p + 4);
    out.push(cab.subarray(p + CFDATA_SIZE, p + CFDATA_SIZE + cb));
    p += CFDATA_SIZE + cb;
  }
  return out;
}

/** Type of the block each payload starts with (one block per frame), after the E8 header. */
function blockTypes(cab: Buffer): number[] {
  return payloads(cab).map((p, i) => {
    const bits = (p.readUInt16LE(0) << 16) | p.readUInt16LE(2);
    if (i > 0) return bits >>> 29;
    return (bits >>> 31) ? p.readUInt16LE(4) >>> 12 & 7 /* after 1 + 32 header bits */ : (bits >>> 28) & 7;
  });
}

/** Builds an LZX CAB of `files` and checks it with cabextract and our extractor. */
function agree(files: CabInputFile[], lzx: Partial<LzxEncodeOptions>): Buffer {
  const cab = writeCab(files, { compression: 'lzx', lzx });
  const t = cabextractTest(cab);
  expect(t.ok, t.out).toBe(true);
  const theirs = cabextractFiles(cab);
  const ours = extractCab(cab);
  files.forEach((f, i) => {
    expect(sha(theirs.get(f.name)), `cabextract: ${f.name}`).toBe(sha(f.data));
    expect(ours[i]!.error, f.name).toBeUndefined();
    expect(sha(ours[i]!.data), `ours: ${f.name}`).toBe(sha(f.data));
  });
  for (const p of payloads(cab)) expect(p.length).toBeLessThanOrEqual(38912); // libmspack's CAB_INPUTMAX
  return cab;
}

// Files that start and end inside CFDATA blocks, one spanning several, an empty one.
const spread = (data: Buffer): CabInputFile[] => [
  { name: 'head.bin', data: data.subarray(0, 50_001) },
  { name: 'empty', data: Buffer.alloc(0) },
  { name: 'one', data: data.subarray(50_001, 50_002) },
  { name: 'middle.bin', data: data.subarray(50_002, 200_000) },
  { name: 'tail.bin', data: data.subarray(200_000) },
];

describe.skipIf(!HAS_CABEXTRACT)(`LZX CABs we write, judged by cabextract${NO_CABEXTRACT}`, () => {
  for (const windowBits of [15, 21]) {
    it(`window 2^${windowBits}: 300 KB (10 frames) in 5 files spanning CFDATA blocks`, () => {
      agree(spread(mixedData(300_000)), { windowBits });
    });
  }

  it('a bigger window finds repeats 100 KB back that 2^15 cannot', () => {
    const data = farRepeats(400_000);
    const small = agree([{ name: 'far.bin', data }], { windowBits: 15 });
    const big = agree([{ name: 'far.bin', data }], { windowBits: 21 });
    expect(big.length).toBeLessThan(small.length / 3);
    // 300 KB back: position slots ≥ 36, whose footers are 17 bits.
    agree([{ name: 'farther.bin', data: farRepeats(1_500_000, 300_000) }], { windowBits: 21 });
  });

  it('E8 translation on x86-like code (E8 bytes also in the last 10 bytes of frames)', () => {
    const data = x86Like(330_000);
    const withE8 = agree([{ name: 'code.dll', data }], { windowBits: 16, e8TranslationSize: 12_000_000 });
    const without = agree([{ name: 'code.dll', data }], { windowBits: 16 });
    expect(payloads(withE8)[0]![1]! >>> 7, 'E8 header bit').toBe(1);
    // Calls to the same function become the same bytes, so they compress better.
    expect(withE8.length).toBeLessThan(without.length * 0.9);
    // A translation size smaller than the data: targets beyond it stay untranslated.
    agree([{ name: 'code.dll', data }], { windowBits: 17, e8TranslationSize: 100_000 });
  });

  it('matches at the repeated offsets R0, R1 and R2', () => {
    const data = repeatsAtAlternatingOffsets(120_000);
    const m = new LzxMatcher(data, 16);
    const t = new LzxTokens(32768);
    const slots = new Set<number>();
    for (let s = 0; s < data.length; s += 32768) {
      m.parse(s, Math.min(data.length, s + 32768), t);
      for (let i = 0; i < t.n; i++) if (t.main[i]! >= 256) slots.add((t.main[i]! - 256) >> 3);
    }
    expect([0, 1, 2].filter((s) => slots.has(s))).toEqual([0, 1, 2]);
    agree([{ name: 'records.bin', data }], { windowBits: 16 });
  });

  it('incompressible data goes into uncompressed blocks (auto), odd sizes get their pad byte', () => {
    const data = noise(100_001);
    const cab = agree([{ name: 'noise.bin', data }, { name: 'text.txt', data: Buffer.from('x'.repeat(40_000)) }], {});
    const types = blockTypes(cab);
    expect(types.slice(0, 3)).toEqual([3, 3, 3]);
    expect(types.at(-1)).toBe(1); // the text compresses
  });

  it('forced uncompressed blocks, one frame each and spanning 3 frames', () => {
    const files = spread(mixedData(250_001));
    expect(new Set(blockTypes(agree(files, { blocks: 'uncompressed' })))).toEqual(new Set([3]));
    agree(files, { blocks: 'uncompressed', framesPerBlock: 3, e8TranslationSize: 12_000_000 });
  });

  it('verbatim and aligned-offset blocks spanning CFDATA boundaries', () => {
    const data = Buffer.concat([x86Like(100_000), mixedData(150_000), repeatsAtAlternatingOffsets(60_003)]);
    agree(spread(data), { windowBits: 17, framesPerBlock: 4, blocks: 'verbatim' });
    agree(spread(data), { windowBits: 17, framesPerBlock: 4, blocks: 'aligned', e8TranslationSize: 12_000_000 });
    agree(spread(data), { windowBits: 21, blocks: 'aligned' });
  });

  it('a frame that is all one byte, and a final frame under 10 bytes', () => {
    agree([{ name: 'zeros', data: Buffer.alloc(32768 * 2 + 7) }], { e8TranslationSize: 12_000_000 });
    agree([{ name: 'tiny', data: Buffer.from([0xe8, 1, 2, 3, 4, 0xe8]) }], { e8TranslationSize: 12_000_000 });
  });

  it('the CAB `simulate --compression lzx` uploads', () => {
    for (const kind of ['appcrash', 'bluescreen'] as const) {
      const cab = makeCab(kind, makeReport(kind, Date.UTC(2026, 10, 25)), Date.UTC(2026, 10, 25), 'lzx');
      expect(parseCab(cab).folders[0]!.typeCompress).toBe(0x1503);
      const t = cabextractTest(cab);
      expect(t.ok, t.out).toBe(true);
      const theirs = cabextractFiles(cab);
      const ours = extractCab(cab);
      for (const f of ours) expect(sha(f.data), f.name).toBe(sha(theirs.get(f.name)));
    }
  });
});
