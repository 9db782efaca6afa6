// MS-CAB LZX decoder (Cabinet SDK LZX chapter, with the corrections of [MS-PATCH] and the notes
// of libmspack's lzxd.c): one LzxDecoder per folder, fed one CFDATA payload per 32 KiB frame.
// State kept across frames: the sliding window, R0–R2, the previous main/length code lengths
// (new ones are deltas), the current block and the E8 header. The input is one bitstream over
// the folder's payloads, realigned to 16 bits after each frame; bytes a frame leaves unread are
// carried into the next one, as libmspack reads them. A frame whose bits run past its payload is
// an error (libmspack would read on into the next block; no real encoder writes such frames).
// Never throws on bad input: the first problem is returned and poisons the decoder.
import { LzxBits, readLengths } from './lzx-bits.js';
import { buildHuffTable, newHuffTable, SUBTABLE, type HuffTable } from './lzx-huffman.js';
import { e8Decode } from './lzx-e8.js';
import {
  lzxPositionSlots, LZX_ALIGNED, LZX_ALIGNED_SYMBOLS, LZX_E8_MAX_FRAMES, LZX_EXTRA_BITS, LZX_FRAME,
  LZX_LENGTH_SYMBOLS, LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS, LZX_NUM_CHARS, LZX_POSITION_BASE,
  LZX_UNCOMPRESSED, LZX_VERBATIM,
} from './lzx-tables.js';

export type LzxResult = { ok: true; data: Buffer } | { ok: false; message: string };

/** Zero bytes after the input so that reading ahead needs no bounds checks. */
const PAD = 64;
/** libmspack feeds 2 zero bytes after the last input byte: the last frame may read into them. */
const LAST_FRAME_SLACK_BITS = 16;
/** CAB_INPUTMAX of libmspack: the most input one frame may bring. */
const MAX_CARRY = 38912;

/** Windows handed back by release(), by size: a cabinet with thousands of LZX folders must not
 * allocate (and zero) 2 MiB for each. A window needs no clearing: the decoder never reads a
 * byte it has not written (matches before the stream's start are errors). */
const spareWindows = new Map<number, Uint8Array>();

export class LzxDecoder {
  private readonly size: number;
  private readonly mainSymbols: number;
  private readonly win: Uint8Array;
  private wp = 0;
  /** Window position where the current frame starts. */
  private frameStart = 0;
  /** Bytes output before the current frame (its offset in the folder stream). */
  private produced = 0;
  private frames = 0;
  private headerRead = false;
  private e8Size = 0;
  private blockType = 0;
  private blockLength = 0;
  private blockRemaining = 0;
  private r0 = 1; private r1 = 1; private r2 = 1;
  private readonly mainLens: Uint8Array;
  private readonly lengthLens = new Uint8Array(LZX_LENGTH_SYMBOLS);
  private readonly alignedLens = new Uint8Array(LZX_ALIGNED_SYMBOLS);
  private readonly main: HuffTable;
  private readonly length = newHuffTable(12, LZX_LENGTH_SYMBOLS);
  private readonly aligned = newHuffTable(7, LZX_ALIGNED_SYMBOLS);
  private readonly bits = new LzxBits();
  /** Inside an uncompressed block, input is read bytewise from `bp`. */
  private bytewise = false;
  private bp = 0;
  private carry: Uint8Array = new Uint8Array(0);
  private inbuf = new Uint8Array(0);
  private failed: string | undefined;

  constructor(readonly windowBits: number) {
    if (windowBits < LZX_MIN_WINDOW_BITS || windowBits > LZX_MAX_WINDOW_BITS) {
      throw new RangeError(`LZX window 2^${windowBits} is outside 2^15..2^21`);
    }
    this.size = 1 << windowBits;
    this.win = spareWindows.get(this.size) ?? new Uint8Array(this.size);
    spareWindows.delete(this.size);
    this.mainSymbols = LZX_NUM_CHARS + lzxPositionSlots(windowBits) * 8;
    this.mainLens = new Uint8Array(this.mainSymbols);
    this.main = newHuffTable(12, this.mainSymbols);
  }

  /**
   * Decodes the next frame, `frameSize` bytes (32768 except in the folder's last CFDATA block),
   * from `payload` plus what the previous frame left unread. `last` marks the last CFDATA block.
   * With `dest`, the frame is written to dest[at, at + frameSize) and `data` is that view.
   */
  frame(payload: Uint8Array, frameSize: number, last: boolean, dest?: Buffer, at = 0): LzxResult {
    if (this.failed) return { ok: false, message: `not decoded after an earlier LZX error (${this.failed})` };
    const message = this.decode(payload, frameSize, last);
    if (message === undefined) {
      // The window keeps untranslated bytes; E8 translation works on the copy handed out.
      const data = dest ? dest.subarray(at, at + frameSize) : Buffer.allocUnsafe(frameSize);
      data.set(this.win.subarray(this.wp - frameSize, this.wp));
      if (this.e8Size !== 0 && this.frames < LZX_E8_MAX_FRAMES && frameSize > 10) e8Decode(data, this.produced, this.e8Size);
      this.produced += frameSize;
      this.frames++;
      if (this.wp === this.size) this.wp = 0;
      return { ok: true, data };
    }
    this.failed = message;
    return { ok: false, message: `LZX: ${message}` };
  }

  /** Done with this folder: the window goes back for the next decoder; later frames fail. */
  release(): void {
    if (this.failed !== 'released') spareWindows.set(this.size, this.win);
    this.failed = 'released';
  }

  private decode(payload: Uint8Array, frameSize: number, last: boolean): string | undefined {
    if (frameSize < 1 || frameSize > LZX_FRAME) return `frame of ${frameSize} bytes (1–${LZX_FRAME} allowed)`;
    if (this.wp % LZX_FRAME !== 0) return 'a frame follows a short one: only the last frame may be under 32768 bytes';
    const len = this.carry.length + payload.length;
    // One input buffer, reused: carried bytes, the payload, then zeros to read ahead into.
    if (this.inbuf.length < len + PAD) this.inbuf = new Uint8Array(len + PAD);
    const inp = this.inbuf;
    inp.set(this.carry);
    inp.set(payload, this.carry.length);
    inp.fill(0, len, len + PAD);
    const limit = len * 8 + (last ? LAST_FRAME_SLACK_BITS : 0);
    const r = this.bits;
    if (this.bytewise) this.bp = 0;
    else r.start(inp, len, 0);
    const overrun = (): string | undefined => (r.consumed() > limit ? `the frame's data runs past its ${payload.length}-byte CFDATA payload` : undefined);

    if (!this.headerRead) {
      this.e8Size = r.read(1) ? ((r.read(16) << 16) | r.read(16)) >>> 0 : 0;
      this.headerRead = true;
    }
    this.frameStart = this.wp;
    const end = this.wp + frameSize;
    while (this.wp < end) {
      if (this.blockRemaining === 0) {
        const bad = this.blockHeader(inp, len) ?? (this.bytewise ? undefined : overrun());
        if (bad) return bad;
        continue;
      }
      const run = Math.min(this.blockRemaining, end - this.wp);
      if (this.bytewise) {
        if (this.bp + run > len) return `an uncompressed block needs ${this.bp + run - len} bytes more than the CFDATA payload holds`;
        this.win.set(inp.subarray(this.bp, this.bp + run), this.wp);
        this.bp += run;
        this.wp += run;
      } else {
        const bad = this.lz(run);
        if (bad) return bad;
      }
      this.blockRemaining -= run;
    }
    // Frame end: realign to 16 bits; unread bytes carry over to the next frame.
    let at = this.bp;
    if (!this.bytewise) {
      const bad = overrun();
      if (bad) return bad;
      r.align();
      at = Math.min(len, r.consumed() / 8);
    }
    if (len - at > MAX_CARRY) return `${len - at} bytes of the CFDATA payload were left unread`;
    this.carry = inp.slice(at, len);
    return undefined;
  }

  /** Reads a block header ([MS-PATCH] 2.3: 3-bit type, 24-bit size) and its trees. */
  private blockHeader(inp: Uint8Array, len: number): string | undefined {
    const r = this.bits;
    if (this.bytewise) {
      // An odd-sized uncompressed block is followed by one pad byte.
      if (this.blockLength & 1) this.bp++;
      r.start(inp, len, this.bp);
      this.bytewise = false;
    }
    this.blockType = r.read(3);
    this.blockLength = this.blockRemaining = (r.read(16) << 8) | r.read(8);
    switch (this.blockType) {
      case LZX_ALIGNED: {
        // [MS-PATCH]: the aligned-offset tree comes before the main and length trees.
        for (let i = 0; i < LZX_ALIGNED_SYMBOLS; i++) this.alignedLens[i] = r.read(3);
        const bad = buildHuffTable(this.aligned, this.alignedLens, LZX_ALIGNED_SYMBOLS, false);
        return bad ? `aligned-offset tree: ${bad}` : this.mainAndLengthTrees();
      }
      case LZX_VERBATIM:
        return this.mainAndLengthTrees();
      case LZX_UNCOMPRESSED: {
        // 1–16 bits of padding to the next 16-bit boundary, then R0, R1, R2 (32-bit LE each).
        const rest = r.bc & 15;
        r.drop(rest === 0 ? 16 : rest);
        const bp = r.consumed() / 8;
        if (bp + 12 > len) return 'an uncompressed block header is cut short';
        const dv = new DataView(inp.buffer, inp.byteOffset + bp, 12);
        this.r0 = dv.getUint32(0, true); this.r1 = dv.getUint32(4, true); this.r2 = dv.getUint32(8, true);
        this.bp = bp + 12;
        this.bytewise = true;
        return undefined;
      }
      default:
        return `block type ${this.blockType} is not verbatim (1), aligned (2) or uncompressed (3)`;
    }
  }

  /** The main tree (literals, then position slots × length headers) and the length tree. */
  private mainAndLengthTrees(): string | undefined {
    const r = this.bits;
    const bad = readLengths(r, this.mainLens, 0, LZX_NUM_CHARS)
      ?? readLengths(r, this.mainLens, LZX_NUM_CHARS, this.mainSymbols)
      ?? buildHuffTable(this.main, this.mainLens, this.mainSymbols, false);
    if (bad) return `main tree: ${bad}`;
    const badLen = readLengths(r, this.lengthLens, 0, LZX_LENGTH_SYMBOLS)
      ?? buildHuffTable(this.length, this.lengthLens, LZX_LENGTH_SYMBOLS, true);
    return badLen ? `length tree: ${badLen}` : undefined;
  }

  /** Decodes `run` bytes of a verbatim or aligned-offset block into the window (hot loop). */
  private lz(run: number): string | undefined {
    const r = this.bits;
    const inp = r.inp;
    let { ip, bb, bc } = r;
    const win = this.win;
    const size = this.size;
    let wp = this.wp;
    const end = wp + run;
    const mt = this.main.table, lt = this.length.table, at = this.aligned.table;
    const lengthEmpty = this.length.empty;
    const alignedBlock = this.blockType === LZX_ALIGNED;
    // Bytes output so far in the stream, minus the window position: a match may reach back that far.
    const before = this.produced - this.frameStart;
    let r0 = this.r0, r1 = this.r1, r2 = this.r2;
    let error: string | undefined;
    while (wp < end) {
      if (bc < 16) { bb |= (inp[ip]! | (inp[ip + 1]! << 8)) << (16 - bc); ip += 2; bc += 16; }
      let e = mt[bb >>> 20]!;
      if ((e & 31) === SUBTABLE) e = mt[(e >>> 5) + ((bb << 12) >>> 28)]!;
      let l = e & 31;
      bb <<= l; bc -= l;
      const sym = e >>> 5;
      if (sym < LZX_NUM_CHARS) { win[wp++] = sym; continue; }
      let len = sym & 7;
      const slot = (sym - LZX_NUM_CHARS) >>> 3;
      if (len === 7) {
        if (lengthEmpty) { error = 'a match needs the length tree, which is empty'; break; }
        if (bc < 16) { bb |= (inp[ip]! | (inp[ip + 1]! << 8)) << (16 - bc); ip += 2; bc += 16; }
        e = lt[bb >>> 20]!;
        if ((e & 31) === SUBTABLE) e = lt[(e >>> 5) + ((bb << 12) >>> 28)]!;
        l = e & 31;
        bb <<= l; bc -= l;
        len += e >>> 5;
      }
      len += 2;
      let off: number;
      if (slot < 3) {
        if (slot === 0) off = r0;
        else if (slot === 1) { off = r1; r1 = r0; r0 = off; }
        else { off = r2; r2 = r0; r0 = off; }
      } else {
        const extra = LZX_EXTRA_BITS[slot]!;
        let v = 0;
        if (alignedBlock && extra >= 3) {
          // The low 3 bits come from the aligned-offset tree, the rest verbatim.
          const n = extra - 3;
          if (n > 0) {
            while (bc < n) { bb |= (inp[ip]! | (inp[ip + 1]! << 8)) << (16 - bc); ip += 2; bc += 16; }
            v = (bb >>> (32 - n)) << 3; bb <<= n; bc -= n;
          }
          if (bc < 16) { bb |= (inp[ip]! | (inp[ip + 1]! << 8)) << (16 - bc); ip += 2; bc += 16; }
          e = at[bb >>> 25]!;
          l = e & 31;
          bb <<= l; bc -= l;
          v += e >>> 5;
        } else if (extra > 0) {
          while (bc < extra) { bb |= (inp[ip]! | (inp[ip + 1]! << 8)) << (16 - bc); ip += 2; bc += 16; }
          v = bb >>> (32 - extra); bb <<= extra; bc -= extra;
        }
        off = LZX_POSITION_BASE[slot]! - 2 + v;
        r2 = r1; r1 = r0; r0 = off;
      }
      if (len > end - wp) { error = `a ${len}-byte match runs past the end of its block or frame`; break; }
      if (off > before + wp || off > size) { error = `a match reaches ${off} bytes back, before the start of the stream`; break; }
      let src = wp - off;
      if (src < 0) src += size;
      if (off >= len && src + len <= size) {
        if (len > 32) { win.copyWithin(wp, src, src + len); wp += len; }
        else for (let k = 0; k < len; k++) win[wp++] = win[src++]!;
      } else if (off === 1) {
        // A run of one byte (zero pages of a dump): fill instead of copying byte by byte.
        win.fill(win[src]!, wp, wp + len);
        wp += len;
      } else {
        for (let k = 0; k < len; k++) {
          win[wp++] = win[src++]!;
          if (src === size) src = 0;
        }
      }
    }
    r.ip = ip; r.bb = bb; r.bc = bc;
    this.wp = wp;
    this.r0 = r0; this.r1 = r1; this.r2 = r2;
    return error;
  }
}
