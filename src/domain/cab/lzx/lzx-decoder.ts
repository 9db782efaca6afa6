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

/** Room after the history buffer for a match's 8-byte copy steps to run past its end. */
const COPY_SLACK = 16;

/** History buffers handed back by release(), by window size: a cabinet with thousands of LZX
 * folders must not allocate (and zero) 4 MiB for each. A buffer needs no clearing: the decoder
 * never reads a byte it has not written (matches before the stream's start are errors). */
const spareWindows = new Map<number, Uint8Array>();

export class LzxDecoder {
  private readonly size: number;
  private readonly mainSymbols: number;
  /** The history: win[0, wp) are the stream's last bytes, in order, never wrapped, so a match
   * is one contiguous copy. Twice the window: when the next frame would not fit, the last
   * `size` bytes slide to the start (one native copy per `size` bytes of output). Taken at
   * the first frame, so that decoders made ahead for a cabinet's folders share one. */
  private win: Uint8Array = new Uint8Array(0);
  /** `win` as a DataView: a match at least 8 bytes back is copied 4 bytes per load and store. */
  private dv = new DataView(this.win.buffer);
  private readonly cap: number;
  private wp = 0;
  /** The frame handed out when E8 translation changes it (the history keeps the bytes as
   * decoded); reused, like the views of `win` handed out otherwise. */
  private readonly out = Buffer.allocUnsafe(LZX_FRAME);
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
    this.cap = 2 * this.size;
    this.mainSymbols = LZX_NUM_CHARS + lzxPositionSlots(windowBits) * 8;
    this.mainLens = new Uint8Array(this.mainSymbols);
    this.main = newHuffTable(12, this.mainSymbols);
  }

  /**
   * Decodes the next frame, `frameSize` bytes (32768 except in the folder's last CFDATA block),
   * from `payload` plus what the previous frame left unread. `last` marks the last CFDATA block.
   * `data` is the decoder's memory, valid until the next call: copy it to keep it.
   */
  frame(payload: Uint8Array, frameSize: number, last: boolean): LzxResult {
    if (this.failed) return { ok: false, message: `not decoded after an earlier LZX error (${this.failed})` };
    const message = this.decode(payload, frameSize, last);
    if (message === undefined) {
      const from = this.wp - frameSize;
      let data: Buffer;
      if (this.e8Size !== 0 && this.frames < LZX_E8_MAX_FRAMES && frameSize > 10) {
        // The history keeps untranslated bytes; E8 translation works on the copy handed out.
        data = this.out.subarray(0, frameSize);
        data.set(this.win.subarray(from, this.wp));
        e8Decode(data, this.produced, this.e8Size);
      } else data = Buffer.from(this.win.buffer, this.win.byteOffset + from, frameSize);
      this.produced += frameSize;
      this.frames++;
      return { ok: true, data };
    }
    this.failed = message;
    return { ok: false, message: `LZX: ${message}` };
  }

  /** Done with this folder: the window goes back for the next decoder; later frames fail. */
  release(): void {
    if (this.failed !== 'released' && this.win.length) spareWindows.set(this.size, this.win);
    this.failed = 'released';
  }

  private decode(payload: Uint8Array, frameSize: number, last: boolean): string | undefined {
    if (frameSize < 1 || frameSize > LZX_FRAME) return `frame of ${frameSize} bytes (1–${LZX_FRAME} allowed)`;
    if (this.win.length === 0) {
      this.win = spareWindows.get(this.size) ?? new Uint8Array(this.cap + COPY_SLACK);
      spareWindows.delete(this.size);
      this.dv = new DataView(this.win.buffer, this.win.byteOffset, this.win.byteLength);
    }
    if (this.produced % LZX_FRAME !== 0) return 'a frame follows a short one: only the last frame may be under 32768 bytes';
    if (this.wp + LZX_FRAME > this.cap) {
      this.win.copyWithin(0, this.wp - this.size, this.wp);
      this.wp = this.size;
    }
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

  /** Decodes `run` bytes of a verbatim or aligned-offset block into the window: the hot loop.
   * The bit buffer lives in locals (refilled 16 bits at a time, as LZX reads 16-bit words);
   * symbols come from the tables in one lookup (two for codes over 12 bits); nothing is
   * allocated. A match never wraps (the history is contiguous, see `win`), so it is copied
   * 8 bytes per step, with no per-byte checks and no native call (a builtin's call costs more
   * than a short match's bytes). The step may write up to 7 bytes past the match, into output
   * that comes next (never history). A match less than 8 bytes back overlaps its own output,
   * so it is copied byte by byte, in order. */
  private lz(run: number): string | undefined {
    const r = this.bits;
    const inp = r.inp;
    let ip = r.ip, bb = r.bb, bc = r.bc;
    const win = this.win, dv = this.dv;
    let wp = this.wp;
    const end = wp + run;
    const mt = this.main.table, lt = this.length.table, at = this.aligned.table;
    const lengthEmpty = this.length.empty;
    const alignedBlock = this.blockType === LZX_ALIGNED;
    const size = this.size;
    const extraBits = LZX_EXTRA_BITS, positionBase = LZX_POSITION_BASE;
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
        const extra = extraBits[slot]!;
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
        off = positionBase[slot]! - 2 + v;
        r2 = r1; r1 = r0; r0 = off;
      }
      if (len > end - wp) { error = `a ${len}-byte match runs past the end of its block or frame`; break; }
      if (off > wp || off > size) { error = `a match reaches ${off} bytes back, before the start of the stream`; break; }
      let src = wp - off;
      const stop = wp + len;
      if (off >= 8) {
        do {
          dv.setInt32(wp, dv.getInt32(src, true), true);
          dv.setInt32(wp + 4, dv.getInt32(src + 4, true), true);
          wp += 8; src += 8;
        } while (wp < stop);
      } else {
        do {
          win[wp] = win[src]!; win[wp + 1] = win[src + 1]!; win[wp + 2] = win[src + 2]!; win[wp + 3] = win[src + 3]!;
          win[wp + 4] = win[src + 4]!; win[wp + 5] = win[src + 5]!; win[wp + 6] = win[src + 6]!; win[wp + 7] = win[src + 7]!;
          wp += 8; src += 8;
        } while (wp < stop);
      }
      wp = stop;
    }
    r.ip = ip; r.bb = bb; r.bc = bc;
    this.wp = wp;
    this.r0 = r0; this.r1 = r1; this.r2 = r2;
    return error;
  }
}
