// One TCP direction put back together from hand-built segments: in order, out of order,
// retransmitted, overlapping (same and different bytes), lost (gaps), and across the 2^32
// sequence wrap. Every case checks the delivered bytes and the problems with their offsets.
import { describe, expect, test } from 'vitest';
import { HalfStream, MAX_PENDING_BYTES, type StreamProblem } from '../../../src/sources/pcap/reassembly.js';

const TEXT = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789');
const ISN = 1_000_000;

/** Feeds segments [start, end) of TEXT (offsets in the stream) and collects the result. */
function run(segments: [number, number, Buffer?][], opts: { isn?: number; acks?: [afterIndex: number, offset: number][] } = {}) {
  const isn = opts.isn ?? ISN;
  const h = new HalfStream();
  h.syn(isn);
  const out: Buffer[] = [];
  const problems: StreamProblem[] = [];
  const deliveries: number[] = [];
  segments.forEach(([a, b, bytes], i) => {
    const r = h.push((isn + 1 + a) % 2 ** 32, bytes ?? TEXT.subarray(a, b));
    out.push(r.data);
    problems.push(...r.problems);
    deliveries.push(r.data.length);
    for (const [after, off] of opts.acks ?? []) {
      if (after !== i) continue;
      const k = h.acked((isn + 1 + off) % 2 ** 32);
      out.push(k.data);
      problems.push(...k.problems);
    }
  });
  const end = h.finish();
  out.push(end.data);
  problems.push(...end.problems);
  return { data: Buffer.concat(out), problems, deliveries };
}

describe('HalfStream', () => {
  test('in order: each segment is delivered as it arrives', () => {
    const r = run([[0, 20], [20, 40], [40, TEXT.length]]);
    expect(r.data.equals(TEXT)).toBe(true);
    expect(r.deliveries).toEqual([20, 20, TEXT.length - 40]);
    expect(r.problems).toEqual([]);
  });

  test('out of order: later segments wait for the hole, then come out together, in order', () => {
    const r = run([[40, TEXT.length], [20, 40], [0, 20]]);
    expect(r.data.equals(TEXT)).toBe(true);
    expect(r.deliveries).toEqual([0, 0, TEXT.length]);
    expect(r.problems).toEqual([]);
  });

  test('retransmissions (whole and partial, identical) are delivered once', () => {
    const r = run([[0, 20], [0, 20], [10, 30], [20, 40], [40, TEXT.length], [30, TEXT.length]]);
    expect(r.data.equals(TEXT)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  test('overlapping out-of-order segments fill only the holes; first copy wins', () => {
    const r = run([[30, 50], [10, 35], [45, TEXT.length], [0, 12]]);
    expect(r.data.equals(TEXT)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  test('first copy wins: a differing copy of new bytes is taken, of bytes already held is reported', () => {
    // Bytes 20..30 of `evil` are the first copy anyone saw of them: they are the stream.
    const evil = Buffer.from(TEXT.subarray(20, 40));
    evil[5] = 0x58;
    const r = run([[30, 45], [20, 40, evil], [0, 20], [45, TEXT.length]]);
    expect(r.data.equals(Buffer.concat([TEXT.subarray(0, 25), Buffer.from('X'), TEXT.subarray(26)]))).toBe(true);
    expect(r.problems).toEqual([]);
    // A copy that differs inside bytes already waiting: reported at that byte, first kept.
    const late = Buffer.from(TEXT.subarray(25, 40));
    late[10] = 0x58; // stream offset 35, inside [30,45)
    const r2 = run([[30, 45], [25, 40, late], [0, 25], [45, TEXT.length]]);
    expect(r2.data.equals(TEXT)).toBe(true);
    expect(r2.problems).toMatchObject([{ code: 'tcp-overlap-conflict', offset: 35, message: expect.stringContaining('TCP stream offset 35') }]);
  });

  test('a lost segment is a gap at the end: the bytes after it follow, the offset says where', () => {
    const r = run([[0, 20], [30, TEXT.length]]);
    expect(r.data.equals(Buffer.concat([TEXT.subarray(0, 20), TEXT.subarray(30)]))).toBe(true);
    expect(r.problems).toEqual([{ code: 'tcp-gap', offset: 20, message: expect.stringMatching(/^10 bytes missing from the capture at TCP stream offset 20 \(the capture ended without it\)/) }]);
  });

  test('a hole the receiver acknowledged is given up at once (no retransmission will come)', () => {
    const r = run([[0, 20], [30, 40], [40, TEXT.length]], { acks: [[1, 35]] });
    expect(r.deliveries).toEqual([20, 0, TEXT.length - 40]);
    expect(r.data.equals(Buffer.concat([TEXT.subarray(0, 20), TEXT.subarray(30)]))).toBe(true);
    expect(r.problems).toMatchObject([{ code: 'tcp-gap', offset: 20, message: expect.stringContaining('(the receiver acknowledged past it)') }]);
  });

  test('an ACK for bytes that were never seen at the end is reported as missing', () => {
    const r = run([[0, 20]], { acks: [[0, 30]] });
    expect(r.data.equals(TEXT.subarray(0, 20))).toBe(true);
    expect(r.problems).toMatchObject([{ code: 'tcp-gap', offset: 20, message: expect.stringMatching(/^10 bytes missing .* at the end of the stream/) }]);
  });

  test('several gaps: offsets count delivered bytes, so they point into what the framer saw', () => {
    const r = run([[0, 10], [20, 30], [40, 50]]);
    expect(r.problems.map((p) => p.offset)).toEqual([10, 20]);
    expect(r.data.length).toBe(30);
  });

  test('more than MAX_PENDING_BYTES waiting behind a hole: the hole is given up', () => {
    const h = new HalfStream();
    h.syn(ISN);
    h.push(ISN + 1, TEXT.subarray(0, 10));
    const big = Buffer.alloc(MAX_PENDING_BYTES + 1, 0x41);
    const r = h.push(ISN + 1 + 20, big);
    expect(r.data.length).toBe(big.length);
    expect(r.problems).toMatchObject([{ code: 'tcp-gap', offset: 10, message: expect.stringContaining('(more than 16 MiB arrived after it)') }]);
  });

  test('sequence numbers wrapping past 2^32 are followed', () => {
    const isn = 2 ** 32 - 25;
    const r = run([[0, 20], [40, TEXT.length], [20, 40]], { isn });
    expect(r.data.equals(TEXT)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  test('without a SYN the first segment is offset 0; an earlier retransmission is ignored', () => {
    const h = new HalfStream();
    const a = h.push(5000, TEXT.subarray(0, 20));
    const b = h.push(4990, Buffer.alloc(10, 0x41));
    const c = h.push(5020, TEXT.subarray(20));
    expect(Buffer.concat([a.data, b.data, c.data]).equals(TEXT)).toBe(true);
    expect([...a.problems, ...b.problems, ...c.problems, ...h.finish().problems]).toEqual([]);
  });

  test('bytes missing before a FIN are reported when the stream ends', () => {
    const h = new HalfStream();
    h.syn(ISN);
    h.push(ISN + 1, TEXT.subarray(0, 10));
    h.push(ISN + 1 + 20, Buffer.alloc(0), true);
    expect(h.finish().problems).toMatchObject([{ code: 'tcp-gap', offset: 10, message: expect.stringMatching(/^10 bytes missing/) }]);
  });
});
