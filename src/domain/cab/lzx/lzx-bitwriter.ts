// Bit writer for our LZX encoder: bits go most-significant first into 16-bit words that are
// stored little-endian, the order LZX decoders read (see domain/cab/lzx/lzx-bits.ts).

export class LzxBitWriter {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;
  /** Pending bits (fewer than 16), right-aligned. */
  private acc = 0;
  private n = 0;

  private room(k: number): void {
    if (this.pos + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.pos + k));
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  /** Writes the low `bits` (0..17) bits of `value`. */
  write(value: number, bits: number): void {
    if (bits === 0) return;
    this.acc = (this.acc << bits) | (value & ((1 << bits) - 1));
    this.n += bits;
    // Up to 15 pending + 17 new bits: at most two words' worth, so flush in a loop.
    while (this.n >= 16) {
      this.n -= 16;
      const w = this.acc >>> this.n;
      this.room(2);
      this.buf[this.pos++] = w & 0xff;
      this.buf[this.pos++] = (w >>> 8) & 0xff;
      this.acc &= (1 << this.n) - 1;
    }
  }

  /** Pending bits in the current 16-bit word. */
  get pending(): number {
    return this.n;
  }

  /** Pads with zero bits to the next 16-bit boundary (the decoders realign at frame ends). */
  align(): void {
    if (this.n > 0) this.write(0, 16 - this.n);
  }

  /** Raw bytes, only on a 16-bit boundary (uncompressed blocks). */
  bytes(b: Uint8Array): void {
    if (this.n !== 0) throw new Error('LzxBitWriter.bytes off a 16-bit boundary');
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Bytes written so far (whole words only), and forgets them: one CFDATA payload. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}
