// The block list behind reassembly (src/pcap/segment-list.ts) against a plain sorted array:
// random seeks, inserts and shifts over enough segments to split blocks many times, checking
// order, length and what seek finds after every step.
import { describe, expect, it } from 'vitest';
import { SegmentList, type Segment } from '../../../src/sources/pcap/segment-list.js';
import { createRng } from '../../../src/tools/fuzz/rng.js';

const seg = (off: number, len: number): Segment => ({ off, data: Buffer.alloc(len) });

function contents(list: SegmentList): number[] {
  const out: number[] = [];
  let c = list.seek(-1);
  for (let s = list.at(c); s; s = list.at(c)) {
    out.push(s.off);
    c = list.next(c);
  }
  return out;
}

describe('SegmentList', () => {
  it('matches a sorted array under random inserts (front, middle, end) and shifts', () => {
    const rng = createRng(7);
    const list = new SegmentList();
    const model: Segment[] = [];
    // Segments are 2 bytes at even offsets, so any free even offset can be inserted.
    const used = new Set<number>();
    for (let step = 0; step < 6000; step++) {
      const r = rng.int(10);
      if (r < 7 || model.length === 0) {
        let off = 2 * rng.int(4000);
        if (r === 0) off = 2 * (4000 + step); // an append
        if (used.has(off)) continue;
        used.add(off);
        const c = list.seek(off);
        const at = list.at(c);
        const i = model.findIndex((s) => s.off > off);
        expect(at?.off).toBe(i < 0 ? undefined : model[i]!.off); // seek finds the first one after
        const after = list.insert(c, seg(off, 2));
        expect(list.at(after)).toBe(at); // the cursor still points at what was there
        model.splice(i < 0 ? model.length : i, 0, seg(off, 2));
      } else {
        const s = list.shift()!;
        const m = model.shift()!;
        expect(s.off).toBe(m.off);
        used.delete(s.off);
      }
      expect(list.length).toBe(model.length);
      expect(list.first()?.off).toBe(model[0]?.off);
    }
    expect(contents(list)).toEqual(model.map((s) => s.off));
  });

  it('seek finds the segment holding an offset, or the next one', () => {
    const list = new SegmentList();
    let c = list.seek(0);
    for (const off of [0, 10, 20]) c = list.insert(list.seek(off), seg(off, 5));
    expect(list.at(list.seek(3))!.off).toBe(0);
    expect(list.at(list.seek(5))!.off).toBe(10);
    expect(list.at(list.seek(24))!.off).toBe(20);
    expect(list.at(list.seek(25))).toBeUndefined();
    expect(c.b).toBe(1); // the end cursor after the last append
  });
});
