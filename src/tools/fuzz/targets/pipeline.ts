// Fuzz target: the whole decode pipeline, as `decode` and `listen` run it — Recorder →
// ExchangeBuilder → framer → body views (charset, XML, WER report, level 1 answer, CAB view with
// minidumps) → the human view (colour on and off) and NDJSON. Invariants: the bytes the sinks
// see are exactly the input; no decoder raises (`decoder-error`); every human line is safe for
// a terminal; every NDJSON line parses.
import { Recorder } from '../../../pipeline/recorder.js';
import type { CaptureEvent, Chunk, ConnectionInfo, Sink } from '../../../model.js';
import { formatEvent } from '../../../sinks/pretty.js';
import { toJsonEvents } from '../../../sinks/ndjson.js';
import { createPaint } from '../../../render/paint.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateCab, mutateHttpLengths, mutateMinidump, mutateUtf16 } from '../mutate-formats.js';
import { checkJsonLine, checkLines, fail, hashBytes } from '../check.js';
import { createRng } from '../rng.js';
import { isHttp, type FuzzTarget } from '../target.js';
import { append } from '../../../util/append.js';

const T = Date.UTC(2024, 4, 14, 9, 26, 54);
const colour = createPaint(true);
const plain = createPaint(false);

export interface PipelineResult {
  /** Every problem code, in order. */
  problems: { code: string; message: string }[];
  events: CaptureEvent[];
  /** Human view, colour off and on; NDJSON lines. */
  human: string;
  humanColour: string;
  json: string[];
}

/**
 * Runs `input` as one connection through a Recorder into the human view and NDJSON (the
 * formatters of PrettySink and NdjsonSink, called synchronously), and checks the invariants.
 * `layout`: `offline` like `decode`, `live` like `listen` (client bytes; a response-looking
 * input is fed as server bytes). Exported for the bad-input corpus test.
 */
export function runPipeline(input: Buffer, layout: 'offline' | 'live', opts: { hexDump?: boolean; maxBodyBytes?: number; maxHeaderBytes?: number; split?: number[] } = {}): PipelineResult {
  const seen: Buffer[] = [];
  const result: PipelineResult = { problems: [], events: [], human: '', humanColour: '', json: [] };
  const human: string[] = [];
  const humanColour: string[] = [];
  let sinkError: unknown;
  const sink: Sink = {
    chunk: (c: Chunk) => void seen.push(c.bytes),
    event(ev) {
      try {
        result.events.push(ev);
        if (ev.type === 'problem') result.problems.push({ code: ev.problem.code, message: ev.problem.message });
        const times = layout === 'live';
        const a = formatEvent(ev, { paint: plain, hexDump: opts.hexDump ?? false, times });
        checkLines(a, false, `human view of a ${ev.type} event`);
        const b = formatEvent(ev, { paint: colour, hexDump: opts.hexDump ?? false, times });
        checkLines(b, true, `coloured human view of a ${ev.type} event`);
        append(human, a);
        append(humanColour, b);
        for (const obj of toJsonEvents(ev)) {
          const line = JSON.stringify(obj);
          checkJsonLine(line, `NDJSON of a ${ev.type} event`);
          result.json.push(line);
        }
      } catch (e) {
        sinkError ??= e;
      }
    },
    close: async () => {},
  };
  const recorder = new Recorder({ sinks: [sink], now: () => T, maxBodyBytes: opts.maxBodyBytes, maxHeaderBytes: opts.maxHeaderBytes });
  const connection: ConnectionInfo = { id: 1, peer: 'fuzz', local: 'file', openedAt: T, bytesFromClient: 0, bytesFromServer: 0 };
  const rec = recorder.open(connection, { layout });
  const source = layout === 'live' && input.subarray(0, 5).toString('latin1') === 'HTTP/' ? 'server' : 'client';
  let prev = 0;
  for (const cut of [...(opts.split ?? []), input.length]) {
    rec.push(source, input.subarray(prev, cut), T);
    prev = cut;
  }
  rec.close(undefined, T);
  if (sinkError !== undefined) throw sinkError;
  const decoderError = result.problems.find((p) => p.code === 'decoder-error');
  if (decoderError) fail(`a decoder raised: ${decoderError.message}`);
  const got = Buffer.concat(seen);
  if (!got.equals(input)) fail(`the sinks saw ${got.length} bytes, not the ${input.length} input bytes`);
  const counted = source === 'client' ? connection.bytesFromClient : connection.bytesFromServer;
  if (counted !== input.length) fail(`the connection counted ${counted} bytes, not ${input.length}`);
  result.human = human.join('\n');
  result.humanColour = humanColour.join('\n');
  return result;
}

export const pipelineTarget: FuzzTarget = {
  name: 'pipeline',
  about: 'Recorder → framer → body views (report, XML, level 1, CAB, minidump) → human view (colour on/off) and NDJSON',
  seeds: (files) => files.filter(isHttp).map((f) => f.bytes),
  mutators: [...BYTE_MUTATORS, mutateHttpLengths, mutateUtf16, mutateUtf16, mutateUtf16, mutateCab, mutateCab, mutateMinidump],
  run(input) {
    const r = createRng(hashBytes(input));
    const cuts = input.length > 1 && r.chance(0.5) ? [1 + r.int(input.length - 1)] : [];
    runPipeline(input, r.chance(0.5) ? 'offline' : 'live', { hexDump: r.chance(0.2), split: cuts });
  },
};
