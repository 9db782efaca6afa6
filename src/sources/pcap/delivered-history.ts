// The most recently delivered bytes of one TCP direction, so that a retransmission of bytes
// already handed to the framer can still be compared with the first copy. Without it, "the
// first copy wins, a differing later copy is reported" held only while the first copy waited
// behind a hole: a conflicting retransmission of in-order data — the usual case — was dropped
// silently (20,000 of them gave no `tcp-overlap-conflict`). The pieces are views of buffers
// the capture holds anyway; at most HISTORY_BYTES of them are kept, oldest dropped first, so
// a retransmission of bytes older than that is trimmed without a comparison. Pure.

/** Delivered bytes kept for comparing retransmissions. */
export const HISTORY_BYTES = 16 * 1024 * 1024;

interface Piece {
  /** Stream offset (sequence space) of its first byte. */
  off: number;
  /** Offset in the delivered byte stream (what the framer saw) of its first byte. */
  at: number;
  data: Buffer;
}

export class DeliveredHistory {
  private pieces: Piece[] = [];
  /** Index of the oldest piece still kept (dropped ones are compacted away in bulk). */
  private head = 0;
  private bytes = 0;

  constructor(private readonly limit = HISTORY_BYTES) {}

  /** `data` was delivered: its first byte is stream offset `off`, delivered offset `at`. */
  add(off: number, at: number, data: Buffer): void {
    if (data.length === 0) return;
    this.pieces.push({ off, at, data });
    this.bytes += data.length;
    while (this.bytes > this.limit && this.head < this.pieces.length) {
      this.bytes -= this.pieces[this.head]!.data.length;
      this.pieces[this.head++] = undefined as unknown as Piece;
    }
    // Drop the evicted slots once they are half the array: amortised O(1) per piece.
    if (this.head > 1024 && this.head * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
  }

  /** Compares a retransmitted copy of delivered bytes (stream offset `off`) with what was
   * delivered. Returns the stream and delivered offsets of the first differing byte, or
   * undefined when every byte still kept agrees. Work is bounded by `data.length`. */
  firstDifference(off: number, data: Buffer): { seq: number; delivered: number } | undefined {
    let i = this.find(off);
    while (i < this.pieces.length && data.length) {
      const p = this.pieces[i]!;
      if (p.off >= off + data.length) break;
      if (p.off > off) { // a skipped gap: nothing to compare there
        data = data.subarray(p.off - off);
        off = p.off;
      }
      const start = off - p.off;
      const n = Math.min(data.length, p.data.length - start);
      if (n > 0) {
        const a = data.subarray(0, n);
        const b = p.data.subarray(start, start + n);
        if (!a.equals(b)) {
          let k = 0;
          while (a[k] === b[k]) k++;
          return { seq: off + k, delivered: p.at + start + k };
        }
        data = data.subarray(n);
        off += n;
      }
      i++;
    }
    return undefined;
  }

  /** Index of the kept piece holding `off`, or of the first one after it. */
  private find(off: number): number {
    let lo = this.head;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = this.pieces[mid]!;
      if (p.off + p.data.length > off) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
