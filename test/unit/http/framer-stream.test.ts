// Big bodies stream through without copies or buffering; heads arriving byte by byte are not
// rescanned (both would show up as time here long before they show up as memory).
import { describe, expect, it, vi } from 'vitest';
import { createFramer } from '../../../src/pipeline/http/framer.js';
import type { FramerEvent } from '../../../src/pipeline/http/framer-api.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const PIECE = 64 * 1024;
const MiB = 1024 * 1024;

describe('framer: streaming', () => {
  it('a 50 MiB Content-Length body in 64 KiB pieces: slices of the input, total right, fast', () => {
    const size = 50 * MiB;
    const head = Buffer.from(`PUT /big.cab HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`);
    const f = createFramer({ mode: 'request', source: 'client' });
    const t0 = cpuMs();
    let body = 0;
    let wrong = 0;
    let copies = 0;
    let heads = 0;
    let ends: FramerEvent[] = [];
    for (let sent = -head.length; sent < size;) {
      // each piece is a fresh buffer (like socket reads); the head shares the first one
      const piece = Buffer.alloc(Math.min(PIECE, size - sent));
      if (sent < 0) head.copy(piece);
      for (let i = Math.max(0, -sent); i < piece.length; i += 4096) piece[i] = (sent + i) & 0xff;
      const at = sent;
      sent += piece.length;
      for (const ev of f.push(piece)) {
        if (ev.type === 'head') heads++;
        if (ev.type === 'body') {
          body += ev.data.length;
          if (ev.data.buffer !== piece.buffer) copies++;
          // exactly the body part of this piece (after the head in the first, all of the others),
          // with the bytes the test wrote there
          const skip = at < 0 ? -at : 0;
          if (ev.data.byteOffset !== piece.byteOffset + skip || ev.data.length !== piece.length - skip) wrong++;
          for (let i = 0; i < ev.data.length; i += 4096) if (ev.data[i] !== ((at + skip + i) & 0xff)) wrong++;
        }
        if (ev.type === 'end') ends.push(ev);
      }
    }
    ends = ends.concat(f.end());
    expect(heads).toBe(1);
    expect(body).toBe(size);
    expect(copies).toBe(0);
    expect(wrong).toBe(0);
    expect(ends).toEqual([{ type: 'end', offset: head.length + size, framing: 'content-length', trailers: [], complete: true }]);
    expect(cpuMs() - t0).toBeLessThan(5000);
  }, 30_000);

  it('1 GiB body, one 64 KiB buffer pushed over and over: O(1) memory, nothing retained', () => {
    const size = 1024 * MiB;
    const f = createFramer({ mode: 'request', source: 'client' });
    f.push(Buffer.from(`PUT /huge HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`));
    const piece = Buffer.alloc(PIECE, 0x41);
    const before = process.memoryUsage().heapUsed;
    let body = 0;
    const other: string[] = [];
    for (let i = 0; i < size / PIECE; i++) {
      for (const ev of f.push(piece)) if (ev.type === 'body') body += ev.data.length; else other.push(ev.type);
    }
    expect(body).toBe(size);
    expect(other).toEqual(['end']);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * MiB);
    expect(f.push(Buffer.from('GET / HTTP/1.1\r\n\r\n')).map((e) => e.type)).toEqual(['head', 'end']);
  }, 60_000);

  it('a ~50 MiB chunked body whose framing straddles the piece edges', () => {
    // one segment of chunks with odd sizes, repeated; 64 KiB pieces cut it anywhere
    const chunks: Buffer[] = [];
    let segBody = 0;
    for (const n of [1, 4095, 70_000, 333, 65_536, 12_345]) {
      chunks.push(Buffer.from(`${n.toString(16)};x=y\r\n`), Buffer.alloc(n, n & 0xff), Buffer.from('\r\n'));
      segBody += n;
    }
    const segment = Buffer.concat(chunks);
    const reps = Math.ceil((50 * MiB) / segBody);
    const head = Buffer.from('PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n');
    const tail = Buffer.from('0\r\nX-Total: yes\r\n\r\n');
    const f = createFramer({ mode: 'request', source: 'client' });
    const t0 = cpuMs();
    let body = 0;
    let wireLen = 0;
    const events: FramerEvent[] = [];
    let pending = head;
    const take = (b: Buffer): void => {
      pending = Buffer.concat([pending, b]);
      while (pending.length >= PIECE) {
        const piece = pending.subarray(0, PIECE);
        pending = Buffer.from(pending.subarray(PIECE));
        wireLen += piece.length;
        for (const ev of f.push(piece)) if (ev.type === 'body') body += ev.data.length; else events.push(ev);
      }
    };
    for (let r = 0; r < reps; r++) take(segment);
    take(tail);
    wireLen += pending.length;
    for (const ev of f.push(pending)) if (ev.type === 'body') body += ev.data.length; else events.push(ev);
    events.push(...f.end());
    expect(body).toBe(reps * segBody);
    expect(events.map((e) => e.type)).toEqual(['head', 'end']);
    expect(events[1]).toEqual({ type: 'end', offset: wireLen, framing: 'chunked', trailers: [['X-Total', 'yes']], complete: true });
    expect(cpuMs() - t0).toBeLessThan(10_000);
  }, 60_000);

  it('a 60 KiB head pushed byte by byte is scanned once', () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `X-Header-${i}: ${'v'.repeat(25)}\r\n`).join('');
    const input = Buffer.from(`POST / HTTP/1.1\r\n${lines}Content-Length: 0\r\n\r\n`);
    expect(input.length).toBeLessThan(64 * 1024);
    const f = createFramer({ mode: 'request', source: 'client' });
    // The work, counted rather than timed: every byte looked at by a line scan (indexOf on the
    // pieces). Scanned once, that is about the head's length; rescanning the unfinished head on
    // each push would be ~n²/2 (1.9 billion here).
    let looked = 0;
    const indexOf = Buffer.prototype.indexOf;
    const spy = vi.spyOn(Buffer.prototype, 'indexOf').mockImplementation(function (this: Buffer, ...args: Parameters<Buffer['indexOf']>) {
      const from = typeof args[1] === 'number' ? args[1] : 0;
      const found = indexOf.apply(this, args);
      looked += (found < 0 ? this.length : found + 1) - Math.max(0, from);
      return found;
    });
    const events: FramerEvent[] = [];
    try {
      for (let i = 0; i < input.length; i++) events.push(...f.push(input.subarray(i, i + 1)));
    } finally {
      spy.mockRestore();
    }
    expect(looked).toBeGreaterThanOrEqual(input.length - 1); // the count sees the scan at all
    expect(looked).toBeLessThan(4 * input.length);
    expect(events.map((e) => e.type)).toEqual(['head', 'end']);
    const head = events[0] as Extract<FramerEvent, { type: 'head' }>;
    expect(head.head.headers).toHaveLength(1501);
    expect(head.head.raw.equals(input)).toBe(true);
  }, 30_000);
});
