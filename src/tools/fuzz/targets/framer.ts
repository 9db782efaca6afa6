// Fuzz target: the HTTP framer (src/pipeline/http/framer.ts). Invariants: however the input is split
// into chunks, the events are the same, and the messages (head offset → end offset), the raw
// events and the CR/LF between messages tile the input exactly — every head, body and raw
// piece equals the input at its offset, nothing is lost, nothing is invented.
import { createFramer } from '../../../pipeline/http/framer.js';
import type { FramerEvent, FramerMode } from '../../../pipeline/http/framer-api.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateHttpLengths, mutateUtf16 } from '../mutate-formats.js';
import { createRng } from '../rng.js';
import { fail, hashBytes } from '../check.js';
import { isHttp, type FuzzTarget } from '../target.js';

function feed(input: Buffer, cuts: number[], mode: FramerMode, maxHeaderBytes: number | undefined): FramerEvent[] {
  const f = createFramer({ mode, source: mode === 'response' ? 'server' : 'client', maxHeaderBytes });
  const events: FramerEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    for (const ev of f.push(input.subarray(prev, c))) events.push(ev);
    prev = c;
  }
  for (const ev of f.end()) events.push(ev);
  if (f.offset !== input.length) fail(`framer offset ${f.offset} ≠ input length ${input.length}`);
  return events;
}

/** Events with body/raw pieces merged, as one comparable string. */
function normalise(events: FramerEvent[]): string {
  const out: unknown[] = [];
  let last: { type: string; data: string } | undefined;
  for (const ev of events) {
    if (ev.type === 'body' || ev.type === 'raw') {
      if (last && last.type === ev.type) last.data += ev.data.toString('latin1');
      else out.push((last = { type: ev.type, data: ev.data.toString('latin1'), offset: ev.offset } as never));
      continue;
    }
    last = undefined;
    if (ev.type === 'head') out.push({ ...ev, head: { ...ev.head, raw: ev.head.raw.toString('latin1') } });
    else out.push(ev);
  }
  return JSON.stringify(out);
}

/** Messages, raw events and ignorable CR/LF tile the input; every piece equals the input. */
export function checkCoverage(input: Buffer, events: FramerEvent[]): void {
  const spans: [number, number][] = [];
  let open: number | undefined;
  const same = (what: string, offset: number, data: Buffer): void => {
    if (offset + data.length > input.length || !input.subarray(offset, offset + data.length).equals(data)) {
      fail(`${what} at ${offset} (${data.length} bytes) differs from the input`);
    }
  };
  for (const ev of events) {
    if (ev.type === 'head') {
      if (open !== undefined) fail(`head at ${ev.offset} inside the message from ${open}`);
      open = ev.offset;
      same('head', ev.offset, ev.head.raw);
    } else if (ev.type === 'end') {
      if (open === undefined) fail(`end at ${ev.offset} without a head`);
      spans.push([open, ev.offset]);
      open = undefined;
    } else if (ev.type === 'body') {
      if (open === undefined) fail(`body at ${ev.offset} outside a message`);
      same('body', ev.offset, ev.data);
    } else if (ev.type === 'raw') {
      if (open !== undefined) fail(`raw at ${ev.offset} inside the message from ${open}`);
      spans.push([ev.offset, ev.offset + ev.data.length]);
      same('raw', ev.offset, ev.data);
    }
  }
  if (open !== undefined) fail(`message from ${open} never ended`);
  let pos = 0;
  const ignorable = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (input[i] !== 0x0d && input[i] !== 0x0a) fail(`byte ${i} covered by nothing`);
  };
  for (const [start, end] of spans) {
    if (start < pos || end < start) fail(`span ${start}-${end} overlaps or runs backwards (at ${pos})`);
    ignorable(pos, start);
    pos = end;
  }
  if (pos > input.length) fail(`spans run past the input (${pos} > ${input.length})`);
  ignorable(pos, input.length);
}

export const framerTarget: FuzzTarget = {
  name: 'framer',
  about: 'HTTP framer: same events for any split into chunks; heads, bodies and raw bytes tile the input exactly',
  seeds: (files) => files.filter(isHttp).map((f) => f.bytes),
  mutators: [...BYTE_MUTATORS, mutateHttpLengths, mutateHttpLengths, mutateUtf16],
  run(input) {
    // choices derived from the input itself, so a saved input replays the same way
    const r = createRng(hashBytes(input));
    const mode: FramerMode = r.pick(['request', 'response', 'auto'] as const);
    const maxHeaderBytes = r.chance(0.2) ? 256 + r.int(2048) : undefined;
    const whole = feed(input, [], mode, maxHeaderBytes);
    checkCoverage(input, whole);
    const want = normalise(whole);
    const splits: number[][] = [];
    if (input.length > 1 && input.length <= 600) splits.push(Array.from({ length: input.length - 1 }, (_, i) => i + 1));
    for (let s = 0; s < 2 && input.length > 1; s++) {
      const cuts = new Set<number>();
      const n = 1 + r.int(8);
      for (let k = 0; k < n; k++) cuts.add(1 + r.int(input.length - 1));
      splits.push([...cuts].sort((a, b) => a - b));
    }
    for (const cuts of splits) {
      const events = feed(input, cuts, mode, maxHeaderBytes);
      checkCoverage(input, events);
      if (normalise(events) !== want) fail(`events differ when the input is cut at ${cuts.length > 20 ? 'every byte' : cuts.join(',')} (mode ${mode})`);
    }
  },
};
