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
import { CheckedSink } from '../output/checked-sink.js';
import { VERSION } from './program.js';
import { useColor, type ColorChoice } from './options.js';


export interface OutputFlags {
  json?: boolean;
  raw?: boolean;
  output?: string;
  appendOutput?: boolean;
  color?: ColorChoice;
  hexDump?: boolean;
  pcap?: string;
  har?: string;
}

export interface Outputs {
  sinks: Sink[];
  /** Resolves with the first error of any output file (-o, --pcap, --har) while running. */
  fileError: Promise<WerSniffError>;
  /** The first output file error so far, also one that struck while closing. */
  failure(): WerSniffError | undefined;
}

export async function createOutputs(flags: OutputFlags, live: boolean, stdout: NodeJS.WriteStream = process.stdout): Promise<Outputs> {
  if (flags.json && flags.raw) throw new WerSniffError('bad-flags', '--json and --raw both want stdout — pick one (use -o <file> for raw bytes beside --json)', 2);
  const sinks: Sink[] = [];
  if (flags.raw) sinks.push(new RawSink(stdout));
  // The human and JSON views show each report's check findings (output/checked-sink.ts).
  else if (flags.json) sinks.push(new CheckedSink(new NdjsonSink(stdout)));
  else {
    const paint = createPaint(useColor(flags.color ?? 'auto', process.env, Boolean(stdout.isTTY)));
    sinks.push(new CheckedSink(new PrettySink(stdout, { paint, hexDump: Boolean(flags.hexDump), times: live })));
  }
  const files = new OutputFiles();
  // Open every file before anything is accepted, so a bad path fails at once.
  if (flags.output) {
    const stream = await files.open(flags.output, 'capture file', flags.appendOutput);
    sinks.push(files.guard(new RawSink(stream, 'client', true), flags.output, 'capture file'));
  }
  if (flags.pcap) sinks.push(files.guard(new PcapSink(await files.open(flags.pcap, 'pcap file'), true), flags.pcap, 'pcap file'));
  if (flags.har) sinks.push(files.guard(new HarSink(await files.open(flags.har, 'HAR file'), { version: VERSION }, true), flags.har, 'HAR file'));
  return { sinks, fileError: files.error, failure: () => files.first };
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
