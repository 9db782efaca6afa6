// Maps output flags to sinks, shared by listen, relay and decode: the human view, NDJSON or
// raw bytes on stdout, and the output files (raw capture -o, --pcap, --har). Opening the files
// happens here so a bad path fails before anything is accepted.
import { SyncFileStream } from '../output/sync-file.js';
import type { Sink } from '../model.js';
import { WerSniffError } from '../errors.js';
import { createPaint } from '../output/paint.js';
import { PrettySink } from '../output/pretty.js';
import { NdjsonSink } from '../output/ndjson.js';
import { RawSink } from '../output/raw.js';
import { PcapSink } from '../output/pcap.js';
import { HarSink } from '../output/har.js';
import { VERSION } from './program.js';
import { useColor, type ColorChoice } from './options.js';
import { Pseudonyms } from '../redact/pseudonyms.js';
import { RedactLearner } from '../output/redact-learner.js';
import { RedactingStream } from '../output/redact-stream.js';


export interface OutputFlags {
  json?: boolean;
  raw?: boolean;
  output?: string;
  appendOutput?: boolean;
  color?: ColorChoice;
  hexDump?: boolean;
  pcap?: string;
  har?: string;
  redact?: boolean;
}

export interface Outputs {
  sinks: Sink[];
  /** Resolves with the first error of any output file (-o, --pcap, --har) while running. */
  fileError: Promise<WerSniffError>;
  /** The first output file error so far, also one that struck while closing. */
  failure(): WerSniffError | undefined;
  /** --redact: the run's pseudonyms, for other text about traffic (stderr notices). */
  names?: Pseudonyms;
}

export async function createOutputs(flags: OutputFlags, live: boolean, stdout: NodeJS.WriteStream = process.stdout): Promise<Outputs> {
  if (flags.json && flags.raw) throw new WerSniffError('bad-flags', '--json and --raw both want stdout — pick one (use -o <file> for raw bytes beside --json)', 2);
  if (flags.redact && flags.hexDump) throw new WerSniffError('bad-flags', '--redact and -x/--hex-dump cannot go together: a hexdump shows names that cannot be replaced — drop -x', 2);
  const sinks: Sink[] = [];
  // --redact: a learner sees every event first; every derived text goes through the names.
  const names = flags.redact ? new Pseudonyms() : undefined;
  if (names) sinks.push(new RedactLearner(names));
  const text = names ? new RedactingStream(stdout, names) : stdout;
  const omitBinary = Boolean(names);
  if (flags.raw) sinks.push(new RawSink(stdout));
  else if (flags.json) sinks.push(new NdjsonSink(text, false, omitBinary));
  else {
    const paint = createPaint(useColor(flags.color ?? 'auto', process.env, Boolean(stdout.isTTY)));
    sinks.push(new PrettySink(text, { paint, hexDump: Boolean(flags.hexDump), times: live, omitBinary }));
  }
  const files = new OutputFiles();
  // Open every file before anything is accepted, so a bad path fails at once.
  if (flags.output) {
    const stream = await files.open(flags.output, 'capture file', flags.appendOutput);
    sinks.push(files.guard(new RawSink(stream, 'client', true), flags.output, 'capture file'));
  }
  if (flags.pcap) sinks.push(files.guard(new PcapSink(await files.open(flags.pcap, 'pcap file'), true), flags.pcap, 'pcap file'));
  if (flags.har) {
    const file = await files.open(flags.har, 'HAR file');
    const out = names ? new RedactingStream(file, names, true) : file;
    sinks.push(files.guard(new HarSink(out, { version: VERSION, omitBinary }, true), flags.har, 'HAR file'));
  }
  return { sinks, fileError: files.error, failure: () => files.first, names };
}

/** The output files of one run: opens them and turns the first write error into the run's end. */
class OutputFiles {
  first: WerSniffError | undefined;
  private fail!: (err: WerSniffError) => void;
  readonly error = new Promise<WerSniffError>((resolve) => (this.fail = resolve));

  async open(file: string, what: string, append = false): Promise<SyncFileStream> {
    let stream: SyncFileStream;
    try {
      stream = new SyncFileStream(file, append);
    } catch (err) {
      throw new WerSniffError('output-unwritable', `cannot write ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} — check the path and permissions`);
    }
    stream.on('error', (err: NodeJS.ErrnoException) => this.failed(file, what, err));
    return stream;
  }

  private failed(file: string, what: string, err: NodeJS.ErrnoException): void {
    if (this.first) return;
    this.first = new WerSniffError('output-failed', `writing ${what} ${file} failed: ${err.code ?? err.message} — stopped so nothing goes unrecorded`);
    this.fail(this.first);
  }

  /** A failing file must not throw out of close(): its error ends the run through `error`. */
  guard(sink: Sink, file: string, what: string): Sink {
    const close = sink.close.bind(sink);
    sink.close = () => close().catch((err: NodeJS.ErrnoException) => this.failed(file, what, err));
    return sink;
  }
}
