// One contiguous buffer that grows as pieces are appended, readable at any time as a view (no
// copy to finish), and whose growth never makes one append copy much more than that append's
// own bytes. Pure: no I/O.

/**
 * Growing by doubling copies everything held so far at once: a 20 MiB body would copy 16 MiB
 * inside one socket read, and finishing by concatenating the pieces copies all 20 MiB at the
 * end — both on the thread that serves sockets, and into fresh memory whose first touch (page
 * faults) costs far more than the copy itself. Here the next, larger buffer is allocated once
 * the current one is half full, and each append moves twice its own length of the held bytes
 * into it, so the move is done by the time the current buffer is full. Every append therefore
 * copies about three times its own length, and the whole body stays readable in `buf` meanwhile.
 *
 * Sizes follow the bytes received: capacity is at most about four times what was appended
 * (eight with an announced length, plus a first 4 KiB). `expected` (a Content-Length) is a
 * claim, used only to size a buffer that received bytes already justify: a body that announced
 * its length gets a last buffer of exactly that size, so the view at the end holds no slack.
 */
export class GrowingBytes {
  private buf: Buffer;
  private size = 0;
  /** The next buffer, while the held bytes are moved into it; `moved` of them are. */
  private next: Buffer | undefined;
  private moved = 0;

  /** `first`: the first piece (copied). `expected`: the length the sender announced, if any. */
  constructor(first: Buffer, private readonly expected?: number) {
    this.buf = Buffer.allocUnsafe(this.capacityFor(first.length, 0));
    this.append(first);
  }

  get length(): number {
    return this.size;
  }

  /** Every byte appended so far, as a view of the current buffer (valid until the next append). */
  view(): Buffer {
    return this.buf.subarray(0, this.size);
  }

  /** Bytes [from, size) as a view: they are never written again, so the view stays true. */
  viewFrom(from: number): Buffer {
    return this.buf.subarray(from, this.size);
  }

  append(data: Buffer): void {
    if (data.length === 0) return;
    if (this.size + data.length > this.buf.length) this.switchBuffer(this.size + data.length);
    this.buf.set(data, this.size);
    this.size += data.length;
    if (!this.next && this.size * 2 >= this.buf.length && !this.isLast()) {
      this.next = Buffer.allocUnsafe(this.capacityFor(this.size, this.buf.length));
      this.moved = 0;
    }
    if (this.next) this.move(2 * data.length);
  }

  /** The current buffer has the announced size: the body cannot outgrow it (unless it lies). */
  private isLast(): boolean {
    return this.expected !== undefined && this.buf.length >= this.expected;
  }

  /** The size of a new buffer for `held` bytes (and more to come) after one of `current`:
   * twice as large, or the announced length once that is within eight times what is held (a
   * jump that spares the buffers in between, each touched and moved once more). */
  private capacityFor(held: number, current: number): number {
    const grown = Math.max(4096, 2 * current, 2 * held);
    const e = this.expected;
    return e !== undefined && e >= held && e <= Math.max(grown, 8 * held) ? e : grown;
  }

  /** Copies up to `n` more held bytes into the next buffer. */
  private move(n: number): void {
    const end = Math.min(this.size, this.moved + n);
    if (end > this.moved) this.next!.set(this.buf.subarray(this.moved, end), this.moved);
    this.moved = end;
  }

  /** The current buffer cannot take `need` bytes: continue in the next one. What was not
   * moved yet goes now: little, unless the append that did not fit is large against the
   * buffer, and then at most about its own length. */
  private switchBuffer(need: number): void {
    if (!this.next || this.next.length < need) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.capacityFor(need, this.buf.length)));
      if (this.next) bigger.set(this.next.subarray(0, this.moved));
      this.next = bigger;
    }
    this.move(this.size - this.moved);
    this.buf = this.next;
    this.next = undefined;
    this.moved = 0;
  }
}
