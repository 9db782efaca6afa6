// Test helpers for the framer: feed an input in different splits, normalise the events so splits
// compare equal, and check the "nothing is lost" invariant against the input bytes.
import { expect } from 'vitest';
import { createFramer } from '../../../src/pipeline/http/framer.js';
import type { FramerEvent, FramerMode } from '../../../src/pipeline/http/framer-api.js';
import type { Header } from '../../../src/model.js';

export interface FeedOptions {
  mode: FramerMode;
  /** Methods passed to expectResponseTo before feeding. */
  expect?: string[];
  maxHeaderBytes?: number;
}

export type Norm =
  | { type: 'head'; offset: number; kind: 'request'; method: string; target: string; version: string; headers: Header[]; raw: string }
  | { type: 'head'; offset: number; kind: 'response'; version: string; status: number; reason: string; headers: Header[]; raw: string }
  | { type: 'body' | 'raw'; offset: number; data: string }
  | { type: 'end'; offset: number; framing: string; trailers: Header[]; complete: boolean }
  | { type: 'problem'; code: string; offset: number; message: string };

export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Feeds `input` cut at `cuts` (ascending offsets), then end(). Returns every event. */
export function feed(input: Buffer, cuts: number[], opts: FeedOptions): FramerEvent[] {
  const f = createFramer({ mode: opts.mode, source: opts.mode === 'response' ? 'server' : 'client', maxHeaderBytes: opts.maxHeaderBytes });
  for (const m of opts.expect ?? []) f.expectResponseTo(m);
  const events: FramerEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    events.push(...f.push(input.subarray(prev, c)));
    prev = c;
  }
  events.push(...f.end());
  expect(f.offset).toBe(input.length);
  return events;
}

/** Merges consecutive body (and raw) events and turns buffers into latin1 strings. */
export function normalise(events: FramerEvent[]): Norm[] {
  const out: Norm[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    switch (ev.type) {
      case 'head': {
        const h = ev.head;
        out.push(h.kind === 'request'
          ? { type: 'head', offset: ev.offset, kind: 'request', method: h.method, target: h.target, version: h.version, headers: h.headers, raw: h.raw.toString('latin1') }
          : { type: 'head', offset: ev.offset, kind: 'response', version: h.version, status: h.status, reason: h.reason, headers: h.headers, raw: h.raw.toString('latin1') });
        break;
      }
      case 'body':
      case 'raw':
        if (last && last.type === ev.type) last.data += ev.data.toString('latin1');
        else out.push({ type: ev.type, offset: ev.offset, data: ev.data.toString('latin1') });
        break;
      case 'end':
        out.push({ type: 'end', offset: ev.offset, framing: ev.framing, trailers: ev.trailers, complete: ev.complete });
        break;
      case 'problem':
        out.push({ type: 'problem', code: ev.problem.code, offset: ev.problem.offset, message: ev.problem.message });
        break;
    }
  }
  return out;
}

/** Nothing is lost: messages, raw events and ignorable CR/LF between messages tile the input
 * exactly, and every piece equals the input at its offset. One checker for these tests and the
 * fuzzer's framer target. */
import { checkCoverage } from '../../../src/tools/fuzz/targets/framer.js';

export { checkCoverage };

/**
 * Frames `input` whole, byte by byte, and cut in two at every offset; asserts every way gives
 * the same normalised events and keeps the invariant. Returns the normalised events.
 */
export function frameAllWays(input: Buffer, opts: FeedOptions): Norm[] {
  const whole = feed(input, [], opts);
  checkCoverage(input, whole);
  const want = normalise(whole);
  const byByte = feed(input, Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1), opts);
  checkCoverage(input, byByte);
  expect(normalise(byByte)).toEqual(want);
  for (let cut = 1; cut < input.length; cut++) {
    const events = feed(input, [cut], opts);
    const got = normalise(events);
    if (JSON.stringify(got) !== JSON.stringify(want)) expect({ cut, got }).toEqual({ cut, got: want });
    checkCoverage(input, events);
  }
  return want;
}
