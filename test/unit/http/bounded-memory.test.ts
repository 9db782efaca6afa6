// Memory per connection stays bounded in the pure pipeline, whatever the client sends: a body far
// over --max-body-bytes is hashed as it streams, a head line that never ends is given up at
// --max-header-bytes, and unanswered pipelined uploads do not each keep their body.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { ExchangeBuilder } from '../../../src/pipeline/http/exchange-builder.js';
import type { CaptureEvent, Exchange } from '../../../src/model.js';
import { makeConnection } from '../../helpers/factories.js';

const MiB = 1024 * 1024;
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

describe('bounded memory (pure pipeline)', () => {
  it('a 256 MiB upload through the Recorder with --max-body-bytes 1MiB: hashed, never held', () => {
    const events: CaptureEvent[] = [];
    const rec = new Recorder({ sinks: [{ event: (e) => events.push(e), close: async () => {} }], maxBodyBytes: MiB });
    const c = rec.open(makeConnection());
    const size = 256 * MiB;
    c.push('client', Buffer.from(`PUT /x.cab HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`));
    const before = heap();
    const hash = createHash('sha256');
    let peak = 0;
    for (let i = 0; i < size / (256 * 1024); i++) {
      const piece = Buffer.alloc(256 * 1024, i & 0xff); // a fresh buffer per read, like a socket
      hash.update(piece);
      c.push('client', piece);
      if (i % 256 === 0) peak = Math.max(peak, heap() - before);
    }
    c.close();
    const req = events.find((e) => e.type === 'request')!;
    const body = (req as { exchange: Exchange }).exchange.request!.body;
    expect(body).toMatchObject({ length: size, complete: true, data: undefined, sha256: hash.digest('hex') });
    expect(peak).toBeLessThan(64 * MiB);
  }, 120_000);

  it('a 512 MiB header line without LF: header-too-large at the limit, its bytes passed on, nothing held', () => {
    const events: CaptureEvent[] = [];
    const rec = new Recorder({ sinks: [{ event: (e) => events.push(e), close: async () => {} }], maxHeaderBytes: 64 * 1024 });
    const c = rec.open(makeConnection());
    c.push('client', Buffer.from('GET / HTTP/1.1\r\nX-Long: '));
    const before = heap();
    let raw = 0;
    let peak = 0;
    const problems: string[] = [];
    for (let i = 0; i < 2048; i++) {
      c.push('client', Buffer.alloc(256 * 1024, 0x61));
      for (const e of events.splice(0)) {
        if (e.type === 'raw') raw += e.bytes.length;
        else if (e.type === 'problem') problems.push(e.problem.code);
      }
      if (i % 64 === 0) peak = Math.max(peak, heap() - before);
    }
    expect(problems).toEqual(['header-too-large']);
    expect(raw).toBe(512 * MiB + 24);
    expect(peak).toBeLessThan(64 * MiB);
  }, 120_000);

  it('64 unanswered pipelined uploads keep at most --max-body-bytes of bodies, and still pair in order', () => {
    const events: CaptureEvent[] = [];
    const b = new ExchangeBuilder(makeConnection(), { layout: 'live', maxBodyBytes: 100_000, emit: (e) => events.push(e) });
    for (let i = 0; i < 64; i++) {
      b.push('client', Buffer.concat([Buffer.from(`PUT /${i} HTTP/1.1\r\nContent-Length: 60000\r\n\r\n`), Buffer.alloc(60_000, i)]), 0);
    }
    const requests = events.filter((e) => e.type === 'request').map((e) => (e as { exchange: Exchange }).exchange);
    expect(requests).toHaveLength(64);
    const kept = b.unanswered.reduce((n, ex) => n + (ex.request!.body.data?.length ?? 0), 0);
    expect(kept).toBeLessThanOrEqual(100_000);
    expect(b.unanswered.at(-1)!.request!.body.data).toHaveLength(60_000); // the newest is whole
    for (const ex of requests) {
      expect(ex.request!.body).toMatchObject({ length: 60_000, complete: true });
      expect(ex.request!.body.head.equals(Buffer.alloc(4096, ex.seq - 1))).toBe(true);
    }
    for (let i = 0; i < 64; i++) b.push('server', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 1);
    const paired = events.filter((e) => e.type === 'response').map((e) => (e as { exchange: Exchange }).exchange.request!.head.target);
    expect(paired).toEqual(Array.from({ length: 64 }, (_, i) => `/${i}`));
  });
});
