// One direction of a TCP connection put back in order (RFC 9293 §3.4 sequence space, with
// 32-bit wrap-around). Policy, like a receiving stack's: bytes are delivered once, in order,
// as soon as everything before them has arrived. Retransmissions and overlaps: the first copy
// of a byte wins; a later copy that differs is reported (`tcp-overlap-conflict`) but never
// replaces it. Out-of-order segments wait for the hole before them. A hole is given up on —
// reported as `tcp-gap` with its size and skipped, never filled with made-up bytes — when the
// receiver acknowledged past it (the capture lost it; no retransmission will come), when too
// much waits behind it, or when the capture ends. Pure.

/** Bytes waiting behind a hole before it is declared lost. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
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

interface Pending {
  off: number;
  data: Buffer;
}

export class HalfStream {
  /** Sequence number of stream offset 0 (ISN + 1 when the SYN was seen). */
  private base: number | undefined;
  /** Next stream offset (in sequence space) to deliver. */
  private next = 0;
  /** Bytes delivered so far; differs from `next` once a gap was skipped. */
  delivered = 0;
  private pending: Pending[] = [];
  private pendingBytes = 0;
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
    const out = this.drain();
    if (this.pendingBytes > MAX_PENDING_BYTES) out.push(...this.skipGap(problems, 'more than 16 MiB arrived after it'));
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
    while (this.pending.length && off > this.next && this.pending[0]!.off > this.next) {
      out.push(...this.skipGap(problems, 'the receiver acknowledged past it'));
    }
    return { data: join(out), problems };
  }

  /** The capture (or the connection) ended: report what is still missing, deliver the rest. */
  finish(): PushResult {
    const problems: StreamProblem[] = [];
    const out: Buffer[] = [];
    while (this.pending.length) out.push(...this.skipGap(problems, 'the capture ended without it'));
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

  /** Adds the bytes of [off, off+len) not yet delivered or pending; first copy wins. */
  private insert(off: number, data: Buffer, problems: StreamProblem[]): void {
    if (off < this.next) {
      data = data.subarray(Math.min(data.length, this.next - off));
      off = this.next;
    }
    let i = 0;
    while (data.length) {
      const p = this.pending[i];
      if (!p || off + data.length <= p.off) {
        this.pending.splice(i, 0, { off, data });
        this.pendingBytes += data.length;
        return;
      }
      if (off >= p.off + p.data.length) { i++; continue; }
      if (off < p.off) {
        // The part before p is new.
        const head = data.subarray(0, p.off - off);
        this.pending.splice(i, 0, { off, data: head });
        this.pendingBytes += head.length;
        i++;
        data = data.subarray(head.length);
        off = p.off;
        continue;
      }
      // Overlaps p from `off`: keep p's bytes, report if they differ.
      const start = off - p.off;
      const n = Math.min(data.length, p.data.length - start);
      const differs = firstDifference(data.subarray(0, n), p.data.subarray(start, start + n));
      if (differs >= 0) {
        const at = off + differs;
        problems.push({ code: 'tcp-overlap-conflict', offset: this.delivered + (at - this.next), message: `a retransmitted segment differs from the first copy at TCP stream offset ${at}; the first copy was kept` });
      }
      data = data.subarray(n);
      off += n;
      i++;
    }
  }

  private drain(): Buffer[] {
    const out: Buffer[] = [];
    while (this.pending.length && this.pending[0]!.off === this.next) {
      const p = this.pending.shift()!;
      out.push(p.data);
      this.pendingBytes -= p.data.length;
      this.next += p.data.length;
      this.delivered += p.data.length;
    }
    return out;
  }

  /** Gives up on the hole before the first pending segment and delivers what follows it. */
  private skipGap(problems: StreamProblem[], why: string): Buffer[] {
    const first = this.pending[0]!;
    problems.push(gap(this.delivered, this.next, first.off - this.next, `(${why})`));
    this.next = first.off;
    return this.drain();
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
