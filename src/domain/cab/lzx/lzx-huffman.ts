// Canonical Huffman decoding tables for LZX. Codes are assigned shortest first, then by symbol
// (like DEFLATE), and read most-significant bit first. A table is one Int32Array: a primary part
// indexed by the next `bits` bits of the stream, whose entries are (symbol << 5) | codeLength,
// or (subtableOffset << 5) | 31 for codes longer than `bits`; a subtable is indexed by the
// following 16 − bits bits. Entry 0 never occurs in a complete code.

/** Longest code length of the main and length trees (pretree deltas are taken modulo 17). */
export const LZX_MAX_CODE = 16;
export const SUBTABLE = 31;

export interface HuffTable {
  /** Primary index width. */
  bits: number;
  table: Int32Array;
  /** All code lengths were 0: only the length tree may be empty, and then it must not be used. */
  empty: boolean;
}

/** Room for the primary table and a subtable per symbol (at most one per long code). */
export function newHuffTable(bits: number, symbols: number): HuffTable {
  const sub = bits < LZX_MAX_CODE ? symbols << (LZX_MAX_CODE - bits) : 0;
  return { bits, table: new Int32Array((1 << bits) + sub), empty: true };
}

const count = new Int32Array(LZX_MAX_CODE + 1);
const next = new Int32Array(LZX_MAX_CODE + 2);

/**
 * Fills `t` from lens[0..n). Returns an error message for an over-subscribed or incomplete code
 * (libmspack rejects both; a lone symbol is incomplete), or for all-zero lengths unless
 * `mayBeEmpty` (only the length tree may be empty: blocks without long matches).
 */
export function buildHuffTable(t: HuffTable, lens: Uint8Array, n: number, mayBeEmpty: boolean): string | undefined {
  count.fill(0);
  for (let i = 0; i < n; i++) {
    const l = lens[i]!;
    if (l > LZX_MAX_CODE) return `code length ${l} is over ${LZX_MAX_CODE}`;
    count[l]!++;
  }
  if (count[0] === n) {
    t.empty = true;
    return mayBeEmpty ? undefined : 'a Huffman tree has no codes';
  }
  let left = 1;
  for (let l = 1; l <= LZX_MAX_CODE; l++) {
    left = (left << 1) - count[l]!;
    if (left < 0) return 'a Huffman tree is over-subscribed';
  }
  if (left > 0) return 'a Huffman tree is incomplete';
  t.empty = false;
  count[0] = 0;
  let code = 0;
  for (let l = 1; l <= LZX_MAX_CODE; l++) {
    code = (code + count[l - 1]!) << 1;
    next[l] = code;
  }
  const { bits, table } = t;
  const subBits = LZX_MAX_CODE - bits;
  let free = 1 << bits;
  table.fill(0, 0, free);
  for (let sym = 0; sym < n; sym++) {
    const len = lens[sym]!;
    if (len === 0) continue;
    const c = next[len]!++;
    const entry = (sym << 5) | len;
    if (len <= bits) {
      // A loop, not fill(): a tree is rebuilt for every block, and hundreds of native calls
      // of a few entries each cost more than the stores.
      const from = c << (bits - len);
      for (let k = from, e = from + (1 << (bits - len)); k < e; k++) table[k] = entry;
      continue;
    }
    // A long code: its first `bits` bits pick a subtable, the rest an entry range in it.
    const prefix = c >>> (len - bits);
    let p = table[prefix]!;
    if ((p & 31) !== SUBTABLE) {
      p = (free << 5) | SUBTABLE;
      table[prefix] = p;
      table.fill(0, free, free + (1 << subBits));
      free += 1 << subBits;
    }
    const low = c & ((1 << (len - bits)) - 1);
    const from = (p >>> 5) + (low << (LZX_MAX_CODE - len));
    for (let k = from, e = from + (1 << (LZX_MAX_CODE - len)); k < e; k++) table[k] = entry;
  }
  return undefined;
}
