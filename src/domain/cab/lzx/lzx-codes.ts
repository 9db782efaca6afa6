// Huffman code lengths and canonical codes for our LZX encoder. Lengths are limited (16 for the
// main and length trees, 15 for the pretree, 7 for the aligned tree) by halving frequencies and
// rebuilding until they fit. LZX decoders (libmspack, ours) reject incomplete codes, so a tree
// with one used symbol gets a second, unused one: two codes of length 1.

/** Code lengths for `freq`: all zero when no symbol is used, else a complete code within `limit`. */
export function codeLengths(freq: ArrayLike<number>, limit: number): Uint8Array {
  const n = freq.length;
  const lens = new Uint8Array(n);
  const f = Array.from(freq, (x) => x);
  const used = f.reduce((k, x) => k + (x > 0 ? 1 : 0), 0);
  if (used === 0) return lens;
  if (used === 1) f[f[0]! > 0 ? 1 : 0] = 1;
  // Halving ends at all-equal weights, whose code is ⌈log2(used)⌉ deep: it must fit.
  if (Math.max(used, 2) > 2 ** limit) throw new RangeError(`${used} symbols do not fit codes of ≤ ${limit} bits`);
  for (;;) {
    huffman(f, lens);
    let max = 0;
    for (let i = 0; i < n; i++) if (lens[i]! > max) max = lens[i]!;
    if (max <= limit) return lens;
    for (let i = 0; i < n; i++) if (f[i]! > 0) f[i] = Math.max(1, f[i]! >> 1);
  }
}

/** Plain Huffman (two-queue method over symbols sorted by frequency) into `lens`. */
function huffman(f: number[], lens: Uint8Array): void {
  lens.fill(0);
  const syms = [];
  for (let i = 0; i < f.length; i++) if (f[i]! > 0) syms.push(i);
  syms.sort((a, b) => f[a]! - f[b]! || a - b);
  const m = syms.length;
  // Nodes 0..m-1 are leaves (in sorted order), m.. are internal; parent links give depths.
  const weight = new Float64Array(2 * m);
  const parent = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) weight[i] = f[syms[i]!]!;
  let leaf = 0, node = m, next = m;
  const take = (): number => (leaf < m && (node >= next || weight[leaf]! <= weight[node]!) ? leaf++ : node++);
  for (; next < 2 * m - 1; next++) {
    const a = take(), b = take();
    weight[next] = weight[a]! + weight[b]!;
    parent[a] = next; parent[b] = next;
  }
  const depth = new Uint8Array(2 * m);
  for (let i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]!]! + 1;
  for (let i = 0; i < m; i++) lens[syms[i]!] = depth[i]!;
}

/** Canonical codes (shortest first, then by symbol), as LZX decoders assign them. */
export function canonicalCodes(lens: Uint8Array): Uint32Array {
  const count = new Uint32Array(33);
  for (const l of lens) count[l]!++;
  count[0] = 0;
  const next = new Uint32Array(33);
  let code = 0;
  for (let l = 1; l <= 32; l++) {
    code = (code + count[l - 1]!) << 1;
    next[l] = code;
  }
  const codes = new Uint32Array(lens.length);
  for (let s = 0; s < lens.length; s++) if (lens[s]) codes[s] = next[lens[s]!]!++;
  return codes;
}
