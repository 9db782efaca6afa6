// Our LZX compressor for CAB folders (the format of domain/cab/lzx/lzx-decoder.ts): the folder
// stream is cut into 32 KiB frames, one CFDATA payload each, realigned to 16 bits at every frame
// end. Blocks of `framesPerBlock` frames are verbatim (Huffman-coded literals and matches from
// lzx-matcher.ts), aligned-offset, or uncompressed; `auto` picks verbatim or uncompressed by
// size. Optional E8 call translation. Our decoder agreeing proves nothing: tests judge this
// output with cabextract (libmspack).
import { e8Encode } from './lzx-e8.js';
import {
  lzxPositionSlots, LZX_ALIGNED, LZX_ALIGNED_SYMBOLS, LZX_E8_MAX_FRAMES, LZX_FRAME, LZX_LENGTH_SYMBOLS,
  LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS, LZX_NUM_CHARS, LZX_PRETREE_SYMBOLS, LZX_UNCOMPRESSED, LZX_VERBATIM,
} from './lzx-tables.js';
import { LzxBitWriter } from './lzx-bitwriter.js';
import { canonicalCodes, codeLengths } from './lzx-codes.js';
import { footerBits, LzxMatcher, LzxTokens } from './lzx-matcher.js';

export interface LzxEncodeOptions {
  /** log2 of the window, 15..21 (the CAB folder's typeCompress says the same). */
  windowBits: number;
  /** E8 translation size written in the stream header; 0 or absent = no translation. */
  e8TranslationSize?: number;
  /** Frames per block: blocks longer than a frame span CFDATA boundaries. Default 1. */
  framesPerBlock?: number;
  /** Block type; `auto` (default) = verbatim, or uncompressed where that is smaller. */
  blocks?: 'auto' | 'verbatim' | 'aligned' | 'uncompressed';
}

/** The size Microsoft's CAB compressor writes in the E8 header. */
export const LZX_DEFAULT_E8_SIZE = 12_000_000;

export interface LzxFrame { payload: Buffer; size: number }

/** Writes lens[first..last) as pretree-coded deltas against prev (no 19 repeat codes). */
function writeLengths(w: LzxBitWriter, lens: Uint8Array, prev: Uint8Array, first: number, last: number): void {
  const codes: number[] = [];
  const extra: number[] = [];
  for (let x = first; x < last;) {
    let run = 0;
    while (x + run < last && lens[x + run] === 0) run++;
    if (run >= 4) {
      const n = Math.min(run, 51);
      if (n >= 20) { codes.push(18); extra.push(n - 20); } else { codes.push(17); extra.push(n - 4); }
      x += n;
      continue;
    }
    codes.push((prev[x]! - lens[x]! + 17) % 17);
    extra.push(0);
    x++;
  }
  const freq = new Uint32Array(LZX_PRETREE_SYMBOLS);
  for (const c of codes) freq[c]!++;
  const pl = codeLengths(freq, 15);
  const pc = canonicalCodes(pl);
  for (let i = 0; i < LZX_PRETREE_SYMBOLS; i++) w.write(pl[i]!, 4);
  codes.forEach((c, i) => {
    w.write(pc[c]!, pl[c]!);
    if (c === 17) w.write(extra[i]!, 4);
    else if (c === 18) w.write(extra[i]!, 5);
  });
}

interface Trees { main: Uint8Array; length: Uint8Array; aligned: Uint8Array }

export class LzxEncoder {
  private readonly mainSymbols: number;
  private readonly prevMain: Uint8Array;
  private readonly prevLength = new Uint8Array(LZX_LENGTH_SYMBOLS);

  constructor(private readonly opts: LzxEncodeOptions) {
    if (!(opts.windowBits >= LZX_MIN_WINDOW_BITS && opts.windowBits <= LZX_MAX_WINDOW_BITS)) {
      throw new RangeError(`LZX window 2^${opts.windowBits} is outside 2^15..2^21`);
    }
    this.mainSymbols = LZX_NUM_CHARS + lzxPositionSlots(opts.windowBits) * 8;
    this.prevMain = new Uint8Array(this.mainSymbols);
  }

  /** Compresses a whole folder stream into frames (CFDATA payloads with their sizes). */
  compress(input: Uint8Array): LzxFrame[] {
    const e8 = this.opts.e8TranslationSize ?? 0;
    const data = e8 ? Uint8Array.from(input) : input;
    if (e8) {
      for (let s = 0, k = 0; s < data.length && k < LZX_E8_MAX_FRAMES; s += LZX_FRAME, k++) {
        const f = data.subarray(s, s + LZX_FRAME);
        if (f.length > 10) e8Encode(f, s, e8);
      }
    }
    const w = new LzxBitWriter();
    w.write(e8 ? 1 : 0, 1);
    if (e8) { w.write(e8 >>> 16, 16); w.write(e8 & 0xffff, 16); }
    const matcher = new LzxMatcher(data, this.opts.windowBits);
    const span = LZX_FRAME * Math.max(1, Math.floor(this.opts.framesPerBlock ?? 1));
    const tokens = new LzxTokens(Math.min(span, data.length));
    const frames: LzxFrame[] = [];
    for (let start = 0; start < data.length; start += span) {
      const end = Math.min(data.length, start + span);
      const saved = Int32Array.from(matcher.r);
      matcher.parse(start, end, tokens);
      this.block(w, data, start, end, tokens, saved, matcher.r, frames);
    }
    return frames;
  }

  private block(w: LzxBitWriter, data: Uint8Array, start: number, end: number, t: LzxTokens,
    rBefore: Int32Array, r: Int32Array, frames: LzxFrame[]): void {
    const mode = this.opts.blocks ?? 'auto';
    const aligned = mode === 'aligned';
    const trees = mode === 'uncompressed' ? undefined : this.trees(t, aligned);
    let useTrees = trees;
    if (trees && mode === 'auto') {
      const raw = 27 + 16 + 96 + 8 * (end - start + 1);
      if (this.cost(t, trees, aligned) >= raw) useTrees = undefined;
    }
    const size = end - start;
    const cut = (frameStart: number, frameEnd: number): void => {
      w.align();
      frames.push({ payload: w.take(), size: frameEnd - frameStart });
    };
    if (!useTrees) {
      // Uncompressed: header, 1–16 pad bits, R0–R2 as they stood before this block, raw bytes
      // (running on through the frames of the block), a pad byte if the size is odd.
      r.set(rBefore);
      w.write(LZX_UNCOMPRESSED, 3); w.write(size >>> 8, 16); w.write(size & 0xff, 8);
      w.write(0, w.pending === 0 ? 16 : 16 - w.pending);
      const rs = Buffer.alloc(12);
      rs.writeUInt32LE(r[0]! >>> 0, 0); rs.writeUInt32LE(r[1]! >>> 0, 4); rs.writeUInt32LE(r[2]! >>> 0, 8);
      w.bytes(rs);
      for (let f = start; f < end; f += LZX_FRAME) {
        const fe = Math.min(end, f + LZX_FRAME);
        w.bytes(data.subarray(f, fe));
        if (fe === end && size & 1) w.bytes(new Uint8Array(1));
        cut(f, fe);
      }
      return;
    }
    this.header(w, size, useTrees, aligned);
    const mc = canonicalCodes(useTrees.main), lc = canonicalCodes(useTrees.length), ac = canonicalCodes(useTrees.aligned);
    const ml = useTrees.main, ll = useTrees.length, al = useTrees.aligned;
    let i = 0, f = start;
    for (const fe of t.frameEnds) {
      for (; i < fe; i++) {
        const m = t.main[i]!;
        w.write(mc[m]!, ml[m]!);
        if (m < LZX_NUM_CHARS) continue;
        const ls = t.length[i]!;
        if (ls >= 0) w.write(lc[ls]!, ll[ls]!);
        const fb = footerBits(m), foot = t.footer[i]!;
        if (aligned && fb >= 3) {
          w.write(foot >>> 3, fb - 3);
          w.write(ac[foot & 7]!, al[foot & 7]!);
        } else w.write(foot, fb);
      }
      const next = Math.min(end, f + LZX_FRAME);
      cut(f, next);
      f = next;
    }
  }

  /** Code lengths from the block's symbol frequencies. */
  private trees(t: LzxTokens, aligned: boolean): Trees {
    const mf = new Uint32Array(this.mainSymbols), lf = new Uint32Array(LZX_LENGTH_SYMBOLS), af = new Uint32Array(LZX_ALIGNED_SYMBOLS);
    for (let i = 0; i < t.n; i++) {
      const m = t.main[i]!;
      mf[m]!++;
      if (t.length[i]! >= 0) lf[t.length[i]!]!++;
      if (aligned && footerBits(m) >= 3) af[t.footer[i]! & 7]!++;
    }
    // The aligned tree must be a complete code even if no footer uses it.
    if (aligned && af.every((x) => x === 0)) af.fill(1);
    return { main: codeLengths(mf, 16), length: codeLengths(lf, 16), aligned: aligned ? codeLengths(af, 7) : new Uint8Array(8) };
  }

  /** Bits the block would take as verbatim/aligned: header and trees written for real to a scratch writer. */
  private cost(t: LzxTokens, trees: Trees, aligned: boolean): number {
    const scratch = new LzxBitWriter();
    const saveMain = Uint8Array.from(this.prevMain), saveLength = Uint8Array.from(this.prevLength);
    this.header(scratch, 0, trees, aligned);
    this.prevMain.set(saveMain); this.prevLength.set(saveLength);
    let bits = scratch.pending + scratch.take().length * 8;
    for (let i = 0; i < t.n; i++) {
      const m = t.main[i]!;
      bits += trees.main[m]! + footerBits(m);
      if (t.length[i]! >= 0) bits += trees.length[t.length[i]!]!;
    }
    return bits + 16 * t.frameEnds.length;
  }

  /** Block header and trees; the trees become the base for the next block's deltas. */
  private header(w: LzxBitWriter, size: number, trees: Trees, aligned: boolean): void {
    w.write(aligned ? LZX_ALIGNED : LZX_VERBATIM, 3); w.write(size >>> 8, 16); w.write(size & 0xff, 8);
    if (aligned) for (let i = 0; i < LZX_ALIGNED_SYMBOLS; i++) w.write(trees.aligned[i]!, 3);
    writeLengths(w, trees.main, this.prevMain, 0, LZX_NUM_CHARS);
    writeLengths(w, trees.main, this.prevMain, LZX_NUM_CHARS, this.mainSymbols);
    writeLengths(w, trees.length, this.prevLength, 0, LZX_LENGTH_SYMBOLS);
    this.prevMain.set(trees.main);
    this.prevLength.set(trees.length);
  }
}

/** Compresses one CAB folder stream with LZX into CFDATA payloads of ≤ 32 KiB each. */
export function lzxCompressFolder(stream: Uint8Array, opts: LzxEncodeOptions): LzxFrame[] {
  return new LzxEncoder(opts).compress(stream);
}
