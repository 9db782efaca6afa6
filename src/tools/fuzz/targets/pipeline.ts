// Fuzz target: the whole decode pipeline, as `decode` and `listen` run it — Recorder →
// ExchangeBuilder → framer → body views (charset, XML, WER report, level 1 answer, CAB view with
// minidumps) → the human view (colour on and off) and NDJSON; live, optionally with the
// emulated CER server answering, its commands carried out as the listener does. Invariants:
// the client bytes the sinks see are exactly the input; every answer is an HTTP/1.1 response
// and every event reaches the sinks; no decoder raises (`decoder-error`); every human line is
// safe for a terminal; every NDJSON line parses.
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
import { CerServer } from '../../../domain/server/cer-server.js';
import type { Command } from '../../../pipeline/commands.js';

const T = Date.UTC(2024, 4, 14, 9, 26, 54);
const HTTP11 = Buffer.from('HTTP/1.1 ', 'latin1');
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
 * input is fed as server bytes; with `answer`, client bytes are answered by the emulated CER
 * server). Exported for the bad-input corpus test.
 */
export function runPipeline(input: Buffer, layout: 'offline' | 'live', opts: { hexDump?: boolean; maxBodyBytes?: number; maxHeaderBytes?: number; split?: number[]; answer?: boolean } = {}): PipelineResult {
  const seen: Buffer[] = [];
  const result: PipelineResult = { problems: [], events: [], human: '', humanColour: '', json: [] };
  const human: string[] = [];
  const humanColour: string[] = [];
  let sinkError: unknown;
  const sink: Sink = {
    chunk: (c: Chunk) => void (c.source === source ? seen.push(c.bytes) : undefined),
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
  const source = layout === 'live' && input.subarray(0, 5).toString('latin1') === 'HTTP/' ? 'server' : 'client';
  const answering = opts.answer === true && layout === 'live' && source === 'client';
  const responder = answering ? new CerServer({ mode: 'cer', answer: { ask: [], noCab: false }, newGuid: () => '00000000-0000-4000-8000-000000000000' }) : undefined;
  const rec = recorder.open(connection, { layout, responder });
  let answers = 0;
  /** The commands carried out as the listener does: recorded as the server's bytes, reported back. */
  const carry = (commands: readonly Command[]): void => {
    for (const cmd of commands) {
      if (!cmd.bytes.subarray(0, 9).equals(HTTP11)) fail(`an answer does not start with "HTTP/1.1 ": ${JSON.stringify(cmd.bytes.subarray(0, 40).toString('latin1'))}`);
      rec.record('server', cmd.bytes, T);
      rec.sent(cmd, T);
      answers++;
      if (cmd.close) carry(rec.end('server', T));
    }
  };
  let prev = 0;
  for (const cut of [...(opts.split ?? []), input.length]) {
    carry(rec.push(source, input.subarray(prev, cut), T));
    prev = cut;
  }
  if (answering) carry(rec.end(source, T));
  rec.close(undefined, T);
  const last = result.events[result.events.length - 1];
  if (last?.type !== 'close') fail(`the last event the sinks saw is ${last?.type ?? 'none'}, not close: events were held back`);
  // Each answer is framed as a response (or a 100's interim) to the sinks, unless the server
  // side stopped being HTTP (a 2xx to CONNECT makes the rest a tunnel, shown raw).
  const framed = result.events.filter((e) => e.type === 'response' || e.type === 'interim').length;
  const tunnel = result.events.some((e) => e.type === 'raw' && e.source === 'server');
  if (answering && !tunnel && framed !== answers) fail(`${answers} answers were sent, but the sinks saw ${framed} responses`);
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
    const layout = r.chance(0.5) ? 'offline' : 'live';
    const hexDump = r.chance(0.2);
    runPipeline(input, layout, { hexDump, split: cuts, answer: r.chance(0.5) });
  },
};
