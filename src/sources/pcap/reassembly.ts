// One direction of a TCP connection put back in order (RFC 9293 §3.4 sequence space, with
// 32-bit wrap-around). Policy, like a receiving stack's: bytes are delivered once, in order,
// as soon as everything before them has arrived. Retransmissions and overlaps: the first copy
// of a byte wins; a later copy that differs is reported (`tcp-overlap-conflict`) but never
// replaces it — whether the first copy is still waiting or was already delivered (the last
// 16 MiB delivered are kept for that, delivered-history.ts). Out-of-order segments wait for
// the hole before them (segment-list.ts: O(log n) insertion, O(1) when in order). A hole is
// given up on — reported as `tcp-gap` with its size and skipped, never filled with made-up
// bytes — when the receiver acknowledged past it (the capture lost it; no retransmission will
// come), when too much waits behind it, or when the capture ends. Work per segment is bounded
// by its bytes plus a logarithm; nothing is spread into a call. Pure.
import { DeliveredHistory } from './delivered-history.js';
import { SegmentList } from './segment-list.js';

/** Bytes waiting behind a hole before it is declared lost. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Segments waiting behind a hole before it is declared lost: tiny segments would otherwise
 * cost a record each for up to 16 Mi of them. */
export const MAX_PENDING_SEGMENTS = 256 * 1024;
/** `tcp-overlap-conflict` problems listed per direction; the rest are counted at the end. */
export const MAX_CONFLICTS_LISTED = 100;
const WRAP = 2 ** 32;

export interface StreamProblem {
  code: 'tcp-gap' | 'tcp-overlap-conflict';
  /** Offset in the delivered byte stream (what the framer sees) where it applies. */
  offset: number;
  message: string;
}

export interface PushResult {
  /** Newly in-order bytes (possibly empty). */
  data: Buffer;
  problems: StreamProblem[];
}

export class HalfStream {
  /** Sequence number of stream offset 0 (ISN + 1 when the SYN was seen). */
  private base: number | undefined;
  /** Next stream offset (in sequence space) to deliver. */
  private next = 0;
  /** Bytes delivered so far; differs from `next` once a gap was skipped. */
  delivered = 0;
  private readonly pending = new SegmentList();
  private pendingBytes = 0;
  private readonly history = new DeliveredHistory();
  /** Conflicting copies seen; past MAX_CONFLICTS_LISTED they are only counted. */
  private conflicts = 0;
  private finOffset: number | undefined;
  private maxAck = 0;

  /** The SYN of this direction: its sequence number + 1 is stream offset 0. */
  syn(seq: number): void {
    if (this.base === undefined) this.base = (seq + 1) % WRAP;
  }

  /** True once the FIN was seen and every byte before it was delivered (or given up). */
  get finReached(): boolean {
    return this.finOffset !== undefined && this.next >= this.finOffset;
  }

  /** A segment from this direction. `fin` marks the end of the stream after `payload`. */
  push(seq: number, payload: Buffer, fin = false): PushResult {
    const problems: StreamProblem[] = [];
    if (this.base === undefined) {
      // No SYN seen: the capture started after the handshake. This segment is offset 0. Not a
      // problem by itself (text2pcap writes no handshakes); if earlier bytes are missing, the
      // framer says so when the stream does not start with a message.
      this.base = seq;
    }
    const off = this.unwrap(seq);
    if (fin) this.finOffset ??= off + payload.length;
    if (payload.length) this.insert(off, payload, problems);
    const out: Buffer[] = [];
    this.drain(out);
    if (this.pendingBytes > MAX_PENDING_BYTES) this.skipGap(out, problems, 'more than 16 MiB arrived after it');
    else if (this.pending.length > MAX_PENDING_SEGMENTS) this.skipGap(out, problems, `more than ${MAX_PENDING_SEGMENTS} segments arrived after it`);
    return { data: join(out), problems };
  }

  /** The other direction acknowledged `ack`: everything before it reached the receiver. A hole
   * below it will never be retransmitted, so it was lost by the capture: skip it now. */
  acked(ack: number): PushResult {
    const problems: StreamProblem[] = [];
    if (this.base === undefined) return { data: Buffer.alloc(0), problems };
    const off = this.unwrap(ack);
    if (off > this.maxAck) this.maxAck = off;
    const out: Buffer[] = [];
    while (this.pending.length && off > this.next && this.pending.first()!.off > this.next) {
      this.skipGap(out, problems, 'the receiver acknowledged past it');
    }
    return { data: join(out), problems };
  }

  /** The capture (or the connection) ended: report what is still missing, deliver the rest. */
  finish(): PushResult {
    const problems: StreamProblem[] = [];
    const out: Buffer[] = [];
    while (this.pending.length) this.skipGap(out, problems, 'the capture ended without it');
    if (this.conflicts > MAX_CONFLICTS_LISTED) {
      const more = this.conflicts - MAX_CONFLICTS_LISTED;
      problems.push({ code: 'tcp-overlap-conflict', offset: this.delivered, message: `${more} more retransmitted segment${more === 1 ? '' : 's'} differed from the first copy (only the first ${MAX_CONFLICTS_LISTED} are listed); the first copies were kept` });
    }
    // Bytes before the FIN (or acknowledged by the receiver) that never showed up.
    const end = this.finOffset ?? this.maxAck;
    if (end > this.next) {
      problems.push(gap(this.delivered, this.next, end - this.next, 'at the end of the stream'));
      this.next = end;
    }
    return { data: join(out), problems };
  }

  /** The sequence number as a stream offset, taking the one of its 2^32 aliases nearest `next`. */
  private unwrap(seq: number): number {
    const rel = (seq - this.base! + WRAP) % WRAP;
    return rel + Math.round((this.next - rel) / WRAP) * WRAP;
  }

  /** Adds the bytes of [off, off+len) not yet delivered or pending; first copy wins. Work:
   * two binary searches plus one step per pending segment the new one covers (each such
   * segment takes at least a byte of it), so bounded by the bytes received. */
  private insert(off: number, data: Buffer, problems: StreamProblem[]): void {
    if (off < this.next) {
      // Bytes already delivered: compare with the copy that was, then drop them.
      const old = data.subarray(0, Math.min(data.length, this.next - off));
      const diff = this.history.firstDifference(off, old);
      if (diff) this.conflict(problems, diff.seq, diff.delivered);
      data = data.subarray(old.length);
      off = this.next;
    }
    let c = this.pending.seek(off);
    while (data.length) {
      const p = this.pending.at(c);
      if (!p || off + data.length <= p.off) {
        this.pending.insert(c, { off, data });
        this.pendingBytes += data.length;
        return;
      }
      if (off < p.off) {
        // The part before p is new.
        const head = data.subarray(0, p.off - off);
        c = this.pending.insert(c, { off, data: head });
        this.pendingBytes += head.length;
        data = data.subarray(head.length);
        off = p.off;
        continue;
      }
      // Overlaps p from `off` (seek and the order of the list make off < p's end): keep p's
      // bytes, report if they differ.
      const start = off - p.off;
      const n = Math.min(data.length, p.data.length - start);
      const differs = firstDifference(data.subarray(0, n), p.data.subarray(start, start + n));
      if (differs >= 0) this.conflict(problems, off + differs, this.delivered + (off + differs - this.next));
      data = data.subarray(n);
      off += n;
      c = this.pending.next(c);
    }
  }

  private conflict(problems: StreamProblem[], at: number, deliveredAt: number): void {
    if (++this.conflicts > MAX_CONFLICTS_LISTED) return;
    problems.push({ code: 'tcp-overlap-conflict', offset: deliveredAt, message: `a retransmitted segment differs from the first copy at TCP stream offset ${at}; the first copy was kept` });
  }

  /** Moves the segments now in order to `out`. */
  private drain(out: Buffer[]): void {
    let p = this.pending.first();
    while (p && p.off === this.next) {
      this.pending.shift();
      out.push(p.data);
      this.history.add(p.off, this.delivered, p.data);
      this.pendingBytes -= p.data.length;
      this.next += p.data.length;
      this.delivered += p.data.length;
      p = this.pending.first();
    }
  }

  /** Gives up on the hole before the first pending segment and delivers what follows it. */
  private skipGap(out: Buffer[], problems: StreamProblem[], why: string): void {
    const first = this.pending.first()!;
    problems.push(gap(this.delivered, this.next, first.off - this.next, `(${why})`));
    this.next = first.off;
    this.drain(out);
  }
}

/** One buffer from several; a single one is returned as is (a view into the capture, no copy). */
function join(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function firstDifference(a: Buffer, b: Buffer): number {
  if (a.equals(b)) return -1;
  let i = 0;
  while (a[i] === b[i]) i++;
  return i;
}

function gap(delivered: number, seqOffset: number, missing: number, why: string): StreamProblem {
  return {
    code: 'tcp-gap', offset: delivered,
    message: `${missing} byte${missing === 1 ? '' : 's'} missing from the capture at TCP stream offset ${seqOffset} ${why}; the bytes after the gap follow directly`,
  };
}
