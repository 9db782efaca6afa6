// The sink chain of a run, from a typed description of its outputs: the human view, NDJSON,
// raw bytes or pcap on stdout, the output files (raw capture, pcap, HAR), and the wrappers in
// front of them (--redact learner, check findings, --filter). Files are opened here, so a bad
// path fails before anything is accepted; their failures follow file-failures.ts.
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { Exchange, Sink } from '../model.js';
import type { Paint } from '../render/paint.js';
import type { Filter } from '../analysis/filter/parse.js';
import { Pseudonyms } from '../analysis/redact/pseudonyms.js';
import type { WerSniffError } from '../errors.js';
import { PrettySink, type PrettyOptions } from './pretty.js';
import { NdjsonSink } from './ndjson.js';
import { RawSink } from './raw.js';
import { PcapSink } from './pcap.js';
import { HarSink, INLINE_BODY_BYTES } from './har.js';
import { FilterSink } from './filter-sink.js';
import { RedactLearner } from './redact-learner.js';
import { RedactingStream } from './redact-stream.js';
import { OutputFiles, guarded, type OutputFile } from './file-failures.js';

/** What stdout carries: the human view, NDJSON, the exact client bytes, or pcap (the human
 * view then goes to stderr). */
export type StdoutUse = 'view' | 'json' | 'raw' | 'pcap';

/** An output file: its path, and how the user named it (`-w cap.pcap`) in notices. */
export interface FileOutput {
  path: string;
  label: string;
}

export interface SinkChainOptions {
  /** A live capture: times in the view, and a closed stdout may leave files recording. */
  live: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdoutUse: StdoutUse;
  /** How stdout's use is named in notices (`--raw`). */
  stdoutLabel: string;
  /** The human view: colours (for the stream it goes to), hexdumps, level -1 … 3. */
  view: { paint: Paint; hexDump: boolean; verbosity: number; savedIn?: PrettyOptions['savedIn'] };
  /** Exact client bytes (append: keep what the file holds). */
  captureFile?: FileOutput & { append?: boolean };
  pcapFile?: FileOutput;
  harFile?: FileOutput;
  /** Report folders are written beside this chain (named by this label): they record too. */
  reportFolders?: string;
  /** Where those folders saved an upload: NDJSON and HAR name it beside a body left out. */
  savedPath?: (ex: Exchange) => string | undefined;
  /** Names replaced by pseudonyms in every derived text; raw outputs stay exact. */
  redact: boolean;
  /** Bodies over INLINE_BODY_BYTES whole in HAR and NDJSON, not just size and sha256. */
  includeBodies: boolean;
  /** What the view, NDJSON and HAR show; raw outputs stay complete. */
  filter?: Filter;
  /** The HAR's creator version. */
  version: string;
  /** One line about the run for the user (a file failed, stdout closed). */
  notice(line: string): void;
}

export interface SinkChain {
  sinks: Sink[];
  /** Resolves when no output records the traffic any more (see OutputFiles): the run ends. */
  fileError: Promise<WerSniffError>;
  /** The first output file failure so far (also while closing): the run exits 1. */
  failure(): WerSniffError | undefined;
  /** The --filter wrapper, when there is one (counts what it showed). */
  filtered?: FilterSink;
  /** --redact: the run's pseudonyms, for other text about traffic (stderr notices). */
  names?: Pseudonyms;
  /** Some output shows decoded traffic (human view, NDJSON, HAR): worth inspecting bodies. */
  decoded: boolean;
  /** Some output shows check findings (human view, NDJSON): the Recorder is to check
   * (RecorderOptions.check), and the findings ride on the events. */
  checks: boolean;
  /** NDJSON on stdout: writes one more line into it (the `stats` event). */
  json?(obj: object): void;
  /** When files still record: called once when stdout's reader goes away; true means the run
   * goes on without stdout (its sinks then drop what they get), false that it ends. */
  stdoutClosed?(): boolean;
}

/** Whether stdout keeps what it is given: a file or a pipe, not a terminal or /dev/null. */
function stdoutRecords(stdout: NodeJS.WriteStream): boolean {
  try {
    return !fs.fstatSync((stdout as { fd?: number }).fd ?? 1).isCharacterDevice();
  } catch {
    return true;
  }
}

/** Lines are cut to the terminal's width, and never when the view goes to a file or pipe. */
const widthOf = (s: NodeJS.WriteStream): number | undefined => (s.isTTY ? s.columns || 80 : undefined);

export async function composeSinks(opts: SinkChainOptions): Promise<SinkChain> {
  const { live, stdout, stderr, stdoutUse } = opts;
  // Raw outputs (exact bytes: never filtered, never redacted).
  const sinks: Sink[] = [];
  // --redact: a learner sees every event first; every derived text goes through the names.
  const names = opts.redact ? new Pseudonyms() : undefined;
  const redacted = (out: Writable): Writable => (names ? new RedactingStream(out, names) : out);
  const omitBinary = Boolean(names);
  const inlineMax = opts.includeBodies ? Infinity : INLINE_BODY_BYTES;
  // What is shown and exported; with a filter these go behind a FilterSink, raw outputs never
  // do. The human and JSON views show each report's check findings (`checks`: the Recorder
  // then checks; its checker sees every exchange, behind the filter or not).
  const shown: Sink[] = [];
  let view: Sink | undefined;
  // Closing stdout (`| head`) drops what writes there when files still record (else the run
  // ends), so only then are the stdout sinks wrapped.
  let stdoutGone = false;
  const records = [opts.captureFile?.label, opts.pcapFile?.label, opts.harFile?.label, opts.reportFolders].filter((x): x is string => Boolean(x));
  const recordsElsewhere = live && records.length > 0;
  const onStdout = <S extends Sink>(sink: S): S => (recordsElsewhere ? guarded(sink, () => stdoutGone) : sink);
  const viewOn = (out: NodeJS.WriteStream): PrettySink => new PrettySink(redacted(out), {
    paint: opts.view.paint, hexDump: opts.view.hexDump, times: live, omitBinary, verbosity: opts.view.verbosity, width: widthOf(out), savedIn: opts.view.savedIn,
  });
  let ndjson: NdjsonSink | undefined;
  if (stdoutUse === 'pcap') {
    // pcap on stdout; the human view moves to stderr so a pipe to tshark gets only pcap.
    sinks.push(onStdout(new PcapSink(stdout)));
    view = viewOn(stderr);
  } else if (stdoutUse === 'raw') {
    sinks.push(onStdout(new RawSink(stdout, 'client', false, { onNotice: (line) => opts.notice(`${opts.stdoutLabel}: ${line}`) })));
  } else if (stdoutUse === 'json') view = onStdout((ndjson = new NdjsonSink(redacted(stdout), false, omitBinary, inlineMax, opts.savedPath)));
  else view = onStdout(viewOn(stdout));
  if (view) shown.push(view);
  const files = new OutputFiles(() => Boolean(opts.reportFolders) || (!stdoutGone && stdoutRecords(stdout)), opts.notice);
  // Open every file before anything is accepted, so a bad path fails at once.
  if (opts.captureFile) {
    const file: OutputFile = { ...opts.captureFile, what: 'capture file' };
    const stream = await files.open(file, opts.captureFile.append);
    const onNotice = (line: string) => opts.notice(`capture file ${file.path}: ${line}`);
    sinks.push(files.guard(new RawSink(stream, 'client', true, { onNotice }), file));
  }
  if (opts.pcapFile) {
    const file: OutputFile = { ...opts.pcapFile, what: 'pcap file' };
    sinks.push(files.guard(new PcapSink(await files.open(file), true), file));
  }
  if (opts.harFile) {
    const file: OutputFile = { ...opts.harFile, what: 'HAR file' };
    const stream = await files.open(file);
    const out = names ? new RedactingStream(stream, names, true) : stream;
    shown.push(files.guard(new HarSink(out, { version: opts.version, omitBinary, inlineMax, savedPath: opts.savedPath }, true), file));
  }
  // The run stops only when nothing records any more: with a capture, pcap or HAR file or report
  // folders still recording, a closed stdout drops what went there and capture goes on.
  const stdoutClosed = recordsElsewhere ? () => {
    const still = records.filter((r) => r === opts.reportFolders || !files.hasFailed(r));
    if (still.length === 0) return false;
    stdoutGone = true;
    const what = stdoutUse === 'pcap' ? 'pcap on stdout' : stdoutUse === 'raw' ? 'raw output on stdout' : 'view';
    opts.notice(`stdout was closed, so the ${what} stopped; capture goes on into ${still.join(', ')} — stop it with Ctrl-C or SIGTERM`);
    return true;
  } : undefined;
  const filtered = opts.filter ? new FilterSink(opts.filter, shown) : undefined;
  const front: Sink[] = filtered ? [filtered] : shown;
  const all: Sink[] = names ? [new RedactLearner(names)] : [];
  for (const s of front) all.push(s);
  for (const s of sinks) all.push(s);
  return {
    sinks: all, fileError: files.error, failure: () => files.first, filtered, names, decoded: shown.length > 0, checks: Boolean(view || filtered),
    json: ndjson && ((obj) => ndjson.writeObject(obj)), stdoutClosed,
  };
}
