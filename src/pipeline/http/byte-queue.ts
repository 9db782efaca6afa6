// The framer's input queue: the pushed bytes not yet framed, kept as the list of input buffers
// (never concatenated), with `take(n)` to consume and a resumable line scan. It knows nothing
// about HTTP; framer.ts decides what the bytes mean.

const LF = 0x0a;

/**
 * The pushed bytes not yet framed: a list of input buffers (never concatenated), a byte count,
 * `take(n)` to consume, and a resumable LF scan so a head arriving byte by byte is scanned once.
 */
export class ByteQueue {
  private bufs: Buffer[] = [];
  private first = 0;
  private firstOff = 0;
  length = 0;
  /** Bytes from the queue start already scanned for LFs (since the last take). */
  scanned = 0;
  private scanBuf = 0;
  private scanPos = 0;
  private pieces: Buffer[] = [];
  /** Bytes of the current, unfinished line seen by the scan. */
  partialLength = 0;

  append(b: Buffer): void {
    this.bufs.push(b);
    this.length += b.length;
  }

  byteAt(i: number): number {
    let k = this.first;
    let off = this.firstOff + i;
    while (off >= this.bufs[k]!.length) off -= this.bufs[k++]!.length;
    return this.bufs[k]![off]!;
  }

  /** Consumes `n` bytes and returns them as slices of the input (no copy). */
  take(n: number): Buffer[] {
    const out: Buffer[] = [];
    while (n > 0) {
      const b = this.bufs[this.first]!;
      const avail = b.length - this.firstOff;
      if (n < avail) {
        out.push(b.subarray(this.firstOff, this.firstOff + n));
        this.firstOff += n;
        this.length -= n;
        break;
      }
      out.push(this.firstOff === 0 ? b : b.subarray(this.firstOff));
      this.first++;
      this.firstOff = 0;
      this.length -= avail;
      n -= avail;
    }
    if (this.first === this.bufs.length) {
      this.bufs = [];
      this.first = 0;
    } else if (this.first > 1024 && this.first * 2 > this.bufs.length) {
      this.bufs = this.bufs.slice(this.first);
      this.first = 0;
    }
    this.scanned = 0;
    this.scanBuf = this.first;
    this.scanPos = this.firstOff;
    this.pieces = [];
    this.partialLength = 0;
    return out;
  }

  /**
   * The next whole line (through its LF), continuing where the last call stopped, or
   * undefined when none ends before queue offset `limit` yet. A line inside one input buffer
   * is a view of it (input bytes are never modified); one spread over several is a copy.
   */
  nextLine(limit: number): Buffer | undefined {
    while (this.scanned < limit && this.scanBuf < this.bufs.length) {
      const b = this.bufs[this.scanBuf]!;
      const end = Math.min(b.length, this.scanPos + (limit - this.scanned));
      let lf = b.indexOf(LF, this.scanPos);
      if (lf >= end) lf = -1; // beyond the limit: not this line's
      const stop = lf < 0 ? end : lf + 1;
      const piece = b.subarray(this.scanPos, stop);
      this.scanned += piece.length;
      this.scanPos = stop;
      if (stop === b.length) {
        this.scanBuf++;
        this.scanPos = 0;
      }
      if (lf >= 0) {
        const line = this.pieces.length === 0 ? piece : Buffer.concat([...this.pieces, piece]);
        this.pieces = [];
        this.partialLength = 0;
        return line;
      }
      this.pieces.push(piece);
      this.partialLength += piece.length;
    }
    return undefined;
  }

  /** Copy of the first `n` bytes of the unfinished line. */
  partial(n: number): Buffer {
    return Buffer.concat(this.pieces, Math.min(n, this.partialLength));
  }
}
