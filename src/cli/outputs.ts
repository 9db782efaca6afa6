// Maps output flags to sinks, shared by listen, relay and decode: the human view, NDJSON or
// raw bytes on stdout, and the raw capture file. Opening the capture file happens here so a
// bad path fails before anything is accepted.
import fs from 'node:fs';
import { once } from 'node:events';
import type { Sink } from '../model.js';
import { WerSniffError } from '../errors.js';
import { createPaint } from '../output/paint.js';
import { PrettySink } from '../output/pretty.js';
import { NdjsonSink } from '../output/ndjson.js';
import { RawSink } from '../output/raw.js';
import { useColor, type ColorChoice } from './options.js';

export interface OutputFlags {
  json?: boolean;
  raw?: boolean;
  output?: string;
  appendOutput?: boolean;
  color?: ColorChoice;
  hexDump?: boolean;
}

export interface Outputs {
  sinks: Sink[];
  /** Resolves with an error if the capture file fails while running. */
  fileError: Promise<WerSniffError>;
}

export async function createOutputs(flags: OutputFlags, live: boolean, stdout: NodeJS.WriteStream = process.stdout): Promise<Outputs> {
  if (flags.json && flags.raw) throw new WerSniffError('bad-flags', '--json and --raw both want stdout — pick one (use -o <file> for raw bytes beside --json)', 2);
  const sinks: Sink[] = [];
  if (flags.raw) sinks.push(new RawSink(stdout));
  else if (flags.json) sinks.push(new NdjsonSink(stdout));
  else {
    const paint = createPaint(useColor(flags.color ?? 'auto', process.env, Boolean(stdout.isTTY)));
    sinks.push(new PrettySink(stdout, { paint, hexDump: Boolean(flags.hexDump), times: live }));
  }
  let fileError: Promise<WerSniffError> = new Promise(() => {});
  if (flags.output) {
    const file = flags.output;
    const stream = fs.createWriteStream(file, { flags: flags.appendOutput ? 'a' : 'w' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new WerSniffError('output-unwritable', `cannot write capture file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} — check the path and permissions`);
    }
    fileError = new Promise((resolve) => stream.once('error', (err: NodeJS.ErrnoException) => {
      resolve(new WerSniffError('output-failed', `writing capture file ${file} failed: ${err.code ?? err.message} — stopped so nothing goes unrecorded`));
    }));
    sinks.push(new RawSink(stream, 'client', true));
  }
  return { sinks, fileError };
}
