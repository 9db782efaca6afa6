// Seeded random mutations of real and hand-made inputs: however the bytes are split, the framer
// must say the same thing and account for every byte.
import { describe, expect, it } from 'vitest';
import type { FramerMode } from '../../../src/pipeline/http/framer-api.js';
import { checkCoverage, feed, normalise } from './framer-harness.js';
import { readVector } from '../../helpers/paths.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bases: Buffer[] = [
  ...['level1-generic.http', 'level1-response-level2.http', 'level2-response-ok.http', 'level1-response-loose.http'].map((f) => readVector(f)),
  Buffer.from('POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n'),
  Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No\r\n\r\n'),
  Buffer.from('\r\nGET /a HTTP/1.1\nX: a\n b\n\nHTTP/1.0 200 OK\r\n\r\nrest'),
];

function mutate(input: Buffer, r: () => number): Buffer {
  const b = [...input];
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (b.length + 1));
    const op = Math.floor(r() * 5);
    if (op === 0 && at < b.length) b[at] = Math.floor(r() * 256);
    else if (op === 1) b.splice(at, 0, ...[[13, 10], [10], [13], [32], [0x3a]][Math.floor(r() * 5)]!);
    else if (op === 2) b.splice(at, 1 + Math.floor(r() * 8));
    else if (op === 3) b.splice(at, 0, ...b.slice(at, at + Math.floor(r() * 40)));
    // op 4: leave as is
  }
  return Buffer.from(b);
}

describe('framer fuzz', () => {
  it('600 mutated inputs: whole = byte by byte = random splits, nothing lost', () => {
    const r = rng(1273);
    const modes: FramerMode[] = ['request', 'response', 'auto'];
    for (let i = 0; i < 600; i++) {
      const input = mutate(bases[i % bases.length]!, r);
      const opts = { mode: modes[Math.floor(r() * 3)]!, expect: r() < 0.3 ? ['HEAD'] : [], maxHeaderBytes: r() < 0.3 ? 20 + Math.floor(r() * 60) : undefined };
      const whole = feed(input, [], opts);
      checkCoverage(input, whole);
      const want = normalise(whole);
      const byByte = feed(input, Array.from({ length: Math.max(0, input.length - 1) }, (_, k) => k + 1), opts);
      checkCoverage(input, byByte);
      expect(normalise(byByte), `input ${i}: ${JSON.stringify(input.toString('latin1'))}`).toEqual(want);
      for (let s = 0; s < 5; s++) {
        const cuts = [...new Set(Array.from({ length: 1 + Math.floor(r() * 6) }, () => 1 + Math.floor(r() * Math.max(1, input.length - 1))))]
          .filter((c) => c < input.length).sort((a, b) => a - b);
        const ev = feed(input, cuts, opts);
        checkCoverage(input, ev);
        expect(normalise(ev), `input ${i} cuts ${cuts}`).toEqual(want);
      }
    }
  }, 60_000);
});
