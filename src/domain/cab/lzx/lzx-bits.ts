// The LZX bit reader and the pretree-coded code lengths of the main and length trees. LZX reads
// 16-bit little-endian words, most-significant bit first. The reader fetches ahead, so its
// logical position is `ip * 8 - bc` bits; past the end of the input it reads zeros, and callers
// compare `consumed()` with the input length to catch a stream that runs out.
import { buildHuffTable, newHuffTable, SUBTABLE, type HuffTable } from './lzx-huffman.js';
import { LZX_PRETREE_SYMBOLS } from './lzx-tables.js';

export class LzxBits {
  /** Input bytes, followed by zero padding so that reads past `len` need no bounds checks. */
  inp: Uint8Array = new Uint8Array(0);
  /** Real input length in bytes. */
  len = 0;
  /** Next byte to fetch. */
  ip = 0;
  /** Fetched bits not yet consumed, left-aligned in a 32-bit int. */
  bb = 0;
  /** How many bits of `bb` are valid (0..32). */
  bc = 0;

  start(inp: Uint8Array, len: number, ip: number): void {
    this.inp = inp; this.len = len; this.ip = ip; this.bb = 0; this.bc = 0;
  }

  /** Bits consumed from the start of `inp`. */
  consumed(): number {
    return this.ip * 8 - this.bc;
  }

  need(n: number): void {
    while (this.bc < n) {
      const ip = this.ip;
      this.bb |= ((this.inp[ip] ?? 0) | ((this.inp[ip + 1] ?? 0) << 8)) << (16 - this.bc);
      this.ip = ip + 2;
      this.bc += 16;
    }
  }

  /** Reads n ≤ 17 bits as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    this.need(n);
    const v = this.bb >>> (32 - n);
    this.bb <<= n;
    this.bc -= n;
    return v;
  }

  drop(n: number): void {
    this.need(n);
    this.bb = n === 32 ? 0 : this.bb << n;
    this.bc -= n;
  }

  /** Drops what is left of the current 16-bit word (libmspack's realignment at frame ends). */
  align(): void {
    const r = this.bc & 15;
    if (r) this.drop(r);
  }

  /** One Huffman symbol, or −1 for a code the table does not have (an empty tree). */
  sym(t: HuffTable): number {
    this.need(16);
    let e = t.table[this.bb >>> (32 - t.bits)]!;
    if ((e & 31) === SUBTABLE) e = t.table[(e >>> 5) + ((this.bb << t.bits) >>> (16 + t.bits))]!;
    if (e === 0) return -1;
    const len = e & 31;
    this.bb <<= len;
    this.bc -= len;
    return e >>> 5;
  }
}

const pretree = newHuffTable(8, LZX_PRETREE_SYMBOLS);
const preLens = new Uint8Array(LZX_PRETREE_SYMBOLS);

/**
 * Reads lens[first..last) as deltas against their previous values: a fresh pretree (20 × 4
 * bits), then symbols 0–16 (new = (old − sym) mod 17), 17 (4–19 zeros), 18 (20–51 zeros) and
 * 19 (4–5 copies of one delta). libmspack lets a run spill past `last` into its safety margin,
 * where it changes lengths read later; no encoder does that, so here it is an error.
 */
export function readLengths(r: LzxBits, lens: Uint8Array, first: number, last: number): string | undefined {
  for (let i = 0; i < LZX_PRETREE_SYMBOLS; i++) preLens[i] = r.read(4);
  const bad = buildHuffTable(pretree, preLens, LZX_PRETREE_SYMBOLS, false);
  if (bad) return `pretree: ${bad}`;
  for (let x = first; x < last;) {
    const z = r.sym(pretree);
    let run = 1;
    let delta = z;
    if (z === 17 || z === 18) {
      run = z === 17 ? r.read(4) + 4 : r.read(5) + 20;
      delta = -1;
    } else if (z === 19) {
      run = r.read(1) + 4;
      delta = r.sym(pretree);
      if (delta < 0 || delta > 16) return `pretree symbol ${delta} after a repeat code`;
    } else if (z < 0) return 'pretree code not in the tree';
    if (x + run > last) return `a pretree run goes past symbol ${last}`;
    const v = delta < 0 ? 0 : (lens[x]! - delta + 17) % 17;
    for (const e = x + run; x < e; x++) lens[x] = v;
  }
  return undefined;
}
