// LZX "E8 call translation" (Cabinet SDK LZX chapter; rules as libmspack and [MS-PATCH] apply
// them). x86 CALL is E8 + a 32-bit relative target; the compressor turns relative targets into
// absolute ones (which repeat and so compress better) and the decoder turns them back. Both
// work on one frame at a time, only when the stream header gave a translation size, only for
// the first 32768 frames (output offset < 2^30), only for frames longer than 10 bytes, and
// never look for an E8 in the last 10 bytes of a frame. The 4 bytes after an E8 are skipped,
// so both directions visit the same E8s. Arithmetic is 32-bit signed, as in C.

const i32 = (d: Uint8Array, i: number): number => d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
function put(d: Uint8Array, i: number, v: number): void {
  d[i] = v; d[i + 1] = v >>> 8; d[i + 2] = v >>> 16; d[i + 3] = v >>> 24;
}

/** Decoder: absolute → relative, in place. `start` is the frame's offset in the folder stream. */
export function e8Decode(d: Uint8Array, start: number, translationSize: number): void {
  const size = translationSize | 0;
  const end = d.length - 10;
  // Native memchr finds the E8s: a JS byte loop was a tenth of LZX decoding time.
  const find = Buffer.from(d.buffer, d.byteOffset, d.length);
  for (let i = find.indexOf(0xe8); i >= 0 && i < end; i = find.indexOf(0xe8, i + 5)) {
    const pos = (start + i) | 0;
    const abs = i32(d, i + 1);
    if (abs >= -pos && abs < size) put(d, i + 1, abs >= 0 ? (abs - pos) | 0 : (abs + size) | 0);
  }
}

/** Encoder: relative → absolute, in place; the exact inverse of e8Decode. */
export function e8Encode(d: Uint8Array, start: number, translationSize: number): void {
  const size = translationSize | 0;
  const end = d.length - 10;
  for (let i = 0; i < end; i++) {
    if (d[i] !== 0xe8) continue;
    const pos = (start + i) | 0;
    const rel = i32(d, i + 1);
    if (rel >= -pos && rel < size - pos) put(d, i + 1, (rel + pos) | 0);
    else if (rel >= size - pos && rel < size) put(d, i + 1, (rel - size) | 0);
    i += 4;
  }
}
