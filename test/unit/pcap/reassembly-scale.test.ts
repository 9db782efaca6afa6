// Red-team regressions for TCP reassembly at scale (src/pcap/reassembly.ts, segment-list.ts,
// delivered-history.ts), on captures from src/fuzz/hostile-pcap.ts. Before the fix: 130,000
// segments behind a missing first byte overflowed the call stack (`push(...spread)` of the
// delivered pieces) and insertion scanned the whole waiting list (150,000 took 94 s, 20,000
// 2.2 s); a retransmission that differed from bytes already delivered was dropped without a
// `tcp-overlap-conflict`, though the README promises one. Time bounds are far above what the
// fixed code needs (well under a second here) and far below the old quadratic cost.
import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../../src/sources/pcap/capture.js';
import { HalfStream, MAX_CONFLICTS_LISTED, MAX_PENDING_SEGMENTS, type StreamProblem } from '../../../src/sources/pcap/reassembly.js';
import { conflictingRetransmissions, segmentsBehindHole } from '../../../src/tools/fuzz/hostile-pcap.js';
import { cpuMs } from '../../helpers/cpu-time.js';

/** The client's delivered bytes and problems of the one connection in `pcap`. */
function clientSide(pcap: Buffer): { data: Buffer; problems: { code: string; offset: number; message: string }[] } {
  const cap = parseCapture(pcap)!;
  expect(cap.connections).toHaveLength(1);
  const parts: Buffer[] = [];
  const problems: { code: string; offset: number; message: string }[] = [];
  for (const s of cap.steps) {
    if (s.type === 'data' && s.source === 'client') parts.push(s.bytes);
    if (s.type === 'problem') problems.push(s.problem);
  }
  return { data: Buffer.concat(parts), problems };
}

describe('reassembly at scale', () => {
  it('a pcap with 20,000 segments behind a hole: delivered whole at the end, one gap', () => {
    const { pcap, request } = segmentsBehindHole(20_000, 15);
    const r = clientSide(pcap);
    expect(r.data.equals(request.subarray(1))).toBe(true);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'tcp-gap', offset: 0, message: expect.stringMatching(/^1 byte missing .* offset 0 \(the capture ended without it\)/) })]);
  }, 30_000);

  // The full 9.2 MB / 130,000-segment pcap through decode, check and replay: bench/hostile.js.
  for (const reverse of [false, true]) {
    it(`150,000 segments behind a hole, ${reverse ? 'last first (each goes to the front)' : 'in order'}: linear, no stack overflow, in order at the end`, () => {
      const n = 150_000;
      const h = new HalfStream();
      h.syn(0);
      const t = cpuMs();
      let early = 0;
      for (let k = 0; k < n; k++) {
        const i = reverse ? n - 1 - k : k;
        early += h.push(2 + 4 * i, Buffer.from([i & 0xff, 1, 2, 3])).data.length; // offset 0 never comes
      }
      const end = h.finish();
      expect(cpuMs() - t).toBeLessThan(10_000);
      expect(early).toBe(0);
      expect(end.data.length).toBe(4 * n);
      expect([end.data[0], end.data[4 * (n - 1)]]).toEqual([0, (n - 1) & 0xff]);
      expect(end.problems).toMatchObject([{ code: 'tcp-gap', offset: 0 }]);
    }, 30_000);
  }

  it('conflicting retransmissions of delivered bytes are reported: the first 100, then a count; the first copy is kept', () => {
    const { pcap, request } = conflictingRetransmissions(2_000, 100);
    const r = clientSide(pcap);
    expect(r.data.equals(request)).toBe(true);
    const conflicts = r.problems.filter((p) => p.code === 'tcp-overlap-conflict');
    expect(conflicts).toHaveLength(MAX_CONFLICTS_LISTED + 1);
    // Segment i's last byte (stream offset 100i + 99) is the one that differs.
    expect(conflicts.slice(0, 3).map((p) => p.offset)).toEqual([99, 199, 299]);
    expect(conflicts[0]!.message).toContain('at TCP stream offset 99; the first copy was kept');
    expect(conflicts.at(-1)!.message).toMatch(/^1900 more retransmitted segments differed/);
  }, 30_000);

  it('a differing retransmission across a skipped gap names the delivered offset of the differing byte', () => {
    const h = new HalfStream();
    h.syn(0);
    const problems: StreamProblem[] = [];
    const take = (r: { problems: StreamProblem[] }) => { for (const p of r.problems) problems.push(p); };
    take(h.push(1, Buffer.from('abcdefghij'))); // offsets 0..9, delivered
    take(h.push(21, Buffer.from('0123456789'))); // offsets 20..29 wait behind a hole
    take(h.acked(21)); // hole 10..19 given up: 20..29 delivered at delivered offsets 10..19
    take(h.push(6, Buffer.from('fghijKLMNOPQRST012X4'))); // offsets 5..24: 10..19 never seen, 23 differs
    expect(problems.map((p) => [p.code, p.offset])).toEqual([['tcp-gap', 10], ['tcp-overlap-conflict', 13]]);
    expect(problems[1]!.message).toContain('TCP stream offset 23');
  });

  it('identical retransmissions of delivered bytes are still silent', () => {
    const h = new HalfStream();
    h.syn(0);
    expect(h.push(1, Buffer.from('hello world')).problems).toEqual([]);
    expect(h.push(1, Buffer.from('hello world')).problems).toEqual([]);
    expect(h.push(7, Buffer.from('world')).data.length).toBe(0);
  });

  it(`more than ${MAX_PENDING_SEGMENTS} segments behind a hole: the hole is given up, like 16 MiB of bytes`, () => {
    const h = new HalfStream();
    h.syn(0);
    const one = Buffer.from('x');
    let delivered = 0;
    const problems: StreamProblem[] = [];
    for (let i = 0; i <= MAX_PENDING_SEGMENTS; i++) {
      const r = h.push(2 + i, one); // offset 0 never comes
      delivered += r.data.length;
      for (const p of r.problems) problems.push(p);
    }
    expect(delivered).toBe(MAX_PENDING_SEGMENTS + 1);
    expect(problems).toMatchObject([{ code: 'tcp-gap', offset: 0, message: expect.stringContaining(`more than ${MAX_PENDING_SEGMENTS} segments arrived after it`) }]);
  });
});
