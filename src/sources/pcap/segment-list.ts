// The segments of one TCP direction waiting behind a hole, sorted by stream offset and never
// overlapping (reassembly.ts keeps them so). A flat sorted array made each insertion a scan of
// the whole list and a splice: 150,000 segments behind a missing first byte took 94 s. Here
// the list is cut into blocks of at most 2 × BLOCK entries: finding where a segment goes is a
// binary search over the blocks, then within one; inserting moves at most one block's entries;
// the common case — each segment after the previous one — is an append. Pure.

export interface Segment {
  /** Stream offset (sequence space, unwrapped) of the first byte. */
  off: number;
  data: Buffer;
}

/** A position in the list: block `b`, entry `i` of it. `b === blocks.length` is the end. */
export interface Cursor {
  b: number;
  i: number;
}

const BLOCK = 256;

const end = (s: Segment): number => s.off + s.data.length;

export class SegmentList {
  private blocks: Segment[][] = [];
  /** Number of segments held. */
  length = 0;

  first(): Segment | undefined {
    return this.blocks[0]?.[0];
  }

  /** Removes and returns the first segment. */
  shift(): Segment | undefined {
    const block = this.blocks[0];
    if (!block) return undefined;
    const s = block.shift()!;
    if (block.length === 0) this.blocks.shift(); // once per block emptied: amortised O(1)
    this.length--;
    return s;
  }

  /** The first segment that ends after `off` (the one holding `off`, or the next one). */
  seek(off: number): Cursor {
    const blocks = this.blocks;
    const lastBlock = blocks[blocks.length - 1];
    // In-order arrival: the new segment starts at or after the end of everything held.
    if (!lastBlock || end(lastBlock[lastBlock.length - 1]!) <= off) return { b: blocks.length, i: 0 };
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) { // first block whose last segment ends after off
      const mid = (lo + hi) >> 1;
      const blk = blocks[mid]!;
      if (end(blk[blk.length - 1]!) > off) hi = mid;
      else lo = mid + 1;
    }
    const block = blocks[lo]!;
    let a = 0;
    let z = block.length - 1;
    while (a < z) {
      const mid = (a + z) >> 1;
      if (end(block[mid]!) > off) z = mid;
      else a = mid + 1;
    }
    return { b: lo, i: a };
  }

  at(c: Cursor): Segment | undefined {
    return this.blocks[c.b]?.[c.i];
  }

  /** The position after `c`. */
  next(c: Cursor): Cursor {
    return c.i + 1 < this.blocks[c.b]!.length ? { b: c.b, i: c.i + 1 } : { b: c.b + 1, i: 0 };
  }

  /** Inserts `s` before the segment at `c` (or at the end); returns the cursor of the segment
   * that was at `c`, now after `s`. The caller keeps the order. */
  insert(c: Cursor, s: Segment): Cursor {
    this.length++;
    const blocks = this.blocks;
    if (c.b === blocks.length) {
      const last = blocks[blocks.length - 1];
      if (last && last.length < 2 * BLOCK) last.push(s);
      else blocks.push([s]);
      return { b: blocks.length, i: 0 };
    }
    const block = blocks[c.b]!;
    block.splice(c.i, 0, s);
    if (block.length <= 2 * BLOCK) return { b: c.b, i: c.i + 1 };
    // Split a full block in two (one splice of the block list per BLOCK insertions).
    const tail = block.splice(BLOCK);
    blocks.splice(c.b + 1, 0, tail);
    return c.i + 1 < BLOCK ? { b: c.b, i: c.i + 1 } : { b: c.b + 1, i: c.i + 1 - BLOCK };
  }
}
