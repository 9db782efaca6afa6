// The match finder of our LZX encoder: greedy parsing with hash chains over 3-byte prefixes,
// preferring the repeated offsets R0–R2 (a match at a repeated offset costs no footer bits).
// Matches never cross a 32 KiB frame boundary (LZX decoders reject that) and reach back at most
// window − 3 bytes (the farthest offset the position slots can express).
import {
  LZX_EXTRA_BITS, LZX_FRAME, LZX_MAX_MATCH, LZX_NUM_CHARS, LZX_POSITION_BASE,
} from './lzx-tables.js';

/** One block's symbols: a main-tree symbol each, plus a length-tree symbol (or −1) and footer. */
export class LzxTokens {
  main: Uint16Array;
  length: Int16Array;
  footer: Int32Array;
  n = 0;
  /** Token count at the end of each frame of the block. */
  frameEnds: number[] = [];
  constructor(capacity: number) {
    this.main = new Uint16Array(capacity);
    this.length = new Int16Array(capacity);
    this.footer = new Int32Array(capacity);
  }
}

/** Position slot of a formatted offset f = offset + 2 (f ≥ 3). */
export function slotOf(f: number): number {
  if (f < 4) return f;
  if (f >= 1 << 19) return 38 + ((f - (1 << 19)) >>> 17);
  const log = 31 - Math.clz32(f);
  return 2 * log + ((f >>> (log - 1)) & 1);
}

const HASH_BITS = 16;
/** Candidates examined per position; stop early at a match this long. */
const MAX_CHAIN = 16;
const NICE = 64;

export class LzxMatcher {
  private readonly head = new Int32Array(1 << HASH_BITS).fill(-1);
  private readonly prev: Int32Array;
  private readonly mask: number;
  private readonly maxOffset: number;
  /** Next position to enter into the hash chains. */
  private hashed = 0;
  /** Repeated offsets R0, R1, R2 as the decoder will have them. */
  readonly r = new Int32Array([1, 1, 1]);

  constructor(private readonly d: Uint8Array, windowBits: number) {
    this.prev = new Int32Array(1 << windowBits);
    this.mask = (1 << windowBits) - 1;
    this.maxOffset = (1 << windowBits) - 3;
  }

  private insertUpTo(end: number): void {
    const d = this.d, head = this.head, prev = this.prev, mask = this.mask;
    const last = Math.min(end, d.length - 2);
    for (let p = this.hashed; p < last; p++) {
      const h = Math.imul((d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS);
      prev[p & mask] = head[h]!;
      head[h] = p;
    }
    if (last > this.hashed) this.hashed = last;
  }

  /** Parses [start, end) (start on a frame boundary) into `t`, updating R0–R2. */
  parse(start: number, end: number, t: LzxTokens): void {
    const d = this.d, head = this.head, prev = this.prev, mask = this.mask, r = this.r;
    t.n = 0;
    t.frameEnds = [];
    let pos = start;
    while (pos < end) {
      const frameEnd = Math.min(end, pos - (pos % LZX_FRAME) + LZX_FRAME);
      while (pos < frameEnd) {
        const max = Math.min(LZX_MAX_MATCH, frameEnd - pos);
        let repLen = 0, repIdx = -1;
        for (let k = 0; k < 3 && max >= 2; k++) {
          const off = r[k]!;
          if (off > pos) continue;
          let l = 0;
          while (l < max && d[pos - off + l] === d[pos + l]) l++;
          if (l > repLen) { repLen = l; repIdx = k; }
        }
        let bestLen = 0, bestOff = 0;
        if (max >= 3 && repLen < NICE) {
          this.insertUpTo(pos);
          const h = Math.imul((d[pos]! << 16) | (d[pos + 1]! << 8) | d[pos + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS);
          let cand = head[h]!;
          for (let chain = MAX_CHAIN; cand >= 0 && chain > 0; chain--) {
            const off = pos - cand;
            if (off > this.maxOffset) break;
            if (d[cand + bestLen] === d[pos + bestLen]) {
              let l = 0;
              while (l < max && d[cand + l] === d[pos + l]) l++;
              if (l > bestLen) { bestLen = l; bestOff = off; if (l >= NICE || l === max) break; }
            }
            const next = prev[cand & mask]!;
            if (next >= cand) break;
            cand = next;
          }
        }
        let len: number, slot: number, footer = 0;
        if (repLen >= 2 && repLen + 1 >= bestLen) {
          len = repLen;
          slot = repIdx;
          const off = r[repIdx]!;
          if (repIdx > 0) { r[repIdx] = r[0]!; r[0] = off; }
        } else if (bestLen >= 3 && !(bestLen === 3 && bestOff > 16384)) {
          len = bestLen;
          const f = bestOff + 2;
          slot = slotOf(f);
          footer = f - LZX_POSITION_BASE[slot]!;
          r[2] = r[1]!; r[1] = r[0]!; r[0] = bestOff;
        } else {
          t.main[t.n] = d[pos]!;
          t.length[t.n++] = -1;
          pos++;
          continue;
        }
        const lh = len - 2;
        t.main[t.n] = LZX_NUM_CHARS + slot * 8 + Math.min(lh, 7);
        t.length[t.n] = lh >= 7 ? lh - 7 : -1;
        t.footer[t.n++] = footer;
        pos += len;
      }
      t.frameEnds.push(t.n);
    }
    this.insertUpTo(end);
  }
}

/** Footer bits of a main-tree symbol that is a match (0 for literals and repeated offsets). */
export function footerBits(main: number): number {
  if (main < LZX_NUM_CHARS) return 0;
  const slot = (main - LZX_NUM_CHARS) >> 3;
  return slot < 3 ? 0 : LZX_EXTRA_BITS[slot]!;
}
