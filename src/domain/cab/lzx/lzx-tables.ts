// Fixed tables of the LZX format as MS-CAB uses it (Cabinet SDK "LZX Data Compression Format",
// corrected by [MS-PATCH] §2 and libmspack's notes): position slots per window size, each
// slot's base and footer bit count, and the symbol counts of the four Huffman trees. Shared by
// the decoder (lzx-decoder.ts, lzx-bits.ts) and our encoder (lzx-encoder.ts, lzx-bitwriter.ts).

/** Window sizes allowed in a CAB folder: typeCompress bits 8–12 hold log2(window). */
export const LZX_MIN_WINDOW_BITS = 15;
export const LZX_MAX_WINDOW_BITS = 21;
/** Each CFDATA block of an LZX folder holds one frame of 32 KiB (the last may be shorter). */
export const LZX_FRAME = 32768;
export const LZX_NUM_CHARS = 256;
export const LZX_MIN_MATCH = 2;
/** 7 (length header) + 248 (largest length-tree symbol) + 2 (minimum match). */
export const LZX_MAX_MATCH = 257;
/** Length header 7 means "add a length-tree symbol". */
export const LZX_NUM_PRIMARY_LENGTHS = 7;
export const LZX_LENGTH_SYMBOLS = 249;
export const LZX_PRETREE_SYMBOLS = 20;
export const LZX_ALIGNED_SYMBOLS = 8;
/** Block types of the 3-bit block header field. */
export const LZX_VERBATIM = 1;
export const LZX_ALIGNED = 2;
export const LZX_UNCOMPRESSED = 3;
/** E8 translation is done only in the first 32768 frames (output below 2^30 bytes). */
export const LZX_E8_MAX_FRAMES = 32768;

/** Position slots by window size: the first slot whose base reaches the window (libmspack notes
 * that the SDK document's table says 40/42 for 1/2 MiB; the real coders use 42/50). */
export function lzxPositionSlots(windowBits: number): number {
  return [30, 32, 34, 36, 38, 42, 50][windowBits - LZX_MIN_WINDOW_BITS] ?? 0;
}

/** Footer bits of each position slot: 0,0,0,0,1,1,2,2,…,16,16, then 17 from slot 36 on. */
export const LZX_EXTRA_BITS: Uint8Array = (() => {
  const t = new Uint8Array(51);
  for (let i = 0; i < t.length; i++) t[i] = i < 4 ? 0 : Math.min(17, (i >> 1) - 1);
  return t;
})();

/** First formatted offset of each slot; a match offset is base + footer − 2 (slots ≥ 3). */
export const LZX_POSITION_BASE: Int32Array = (() => {
  const t = new Int32Array(51);
  for (let i = 1; i < t.length; i++) t[i] = t[i - 1]! + (1 << LZX_EXTRA_BITS[i - 1]!);
  return t;
})();
