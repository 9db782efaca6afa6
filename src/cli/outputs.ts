// Maps output flags to sinks, shared by listen, relay and decode: the human view, NDJSON or
// raw bytes on stdout (or pcap with -w -), and the output files (raw capture -o, -w, --har). Opening the files
// happens here so a bad path fails before anything is accepted.
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { SyncFileStream } from '../sinks/sync-file.js';
import type { CaptureEvent, Sink } from '../model.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import { WerSniffError, inWords } from '../errors.js';
import { PrettySink, type PrettyOptions } from '../sinks/pretty.js';
import { NdjsonSink } from '../sinks/ndjson.js';
import { RawSink } from '../sinks/raw.js';
import { PcapSink } from '../sinks/pcap.js';
import { HarSink, INLINE_BODY_BYTES } from '../sinks/har.js';
import { CheckedSink, type FindingSink } from '../sinks/checked-sink.js';
import { VERSION } from './program.js';
import { paintFor, type ColorChoice } from './options.js';
import { FilterSink } from '../sinks/filter-sink.js';
import type { Filter } from '../analysis/filter/parse.js';
import { Pseudonyms } from '../analysis/redact/pseudonyms.js';
import { RedactLearner } from '../sinks/redact-learner.js';
import { RedactingStream } from '../sinks/redact-stream.js';
import { onStdoutClosed } from './stdout-closed.js';


export interface OutputFlags {
  json?: boolean;
  raw?: boolean;
  output?: string;
  appendOutput?: boolean;
  color?: ColorChoice;
  hexDump?: boolean;
  /** -w/--write: pcap file, or `-` for stdout. */
  write?: string;
  /** Old name of --write. */
  pcap?: string;
  har?: string;
  /** --include-bodies: bodies over 1 MiB whole in --har and --json, not just size and sha256. */
  includeBodies?: boolean;
  /** `--filter`: what the view, --json and --har show; raw outputs stay complete. */
  filter?: Filter;
  redact?: boolean;
  /** listen: reports are also saved there (counts as a record when output files fail). */
  saveDir?: string;
  /** `-v` count (0 = the one-line view) and `-q`. */
  verbose?: number;
  quiet?: boolean;
}

/** The human view's level: -1 with -q, 3 with -x (a hexdump is a body), else the -v count. */
export function verbosityOf(flags: OutputFlags): number {
  if (flags.quiet && (flags.verbose ?? 0) > 0) throw new WerSniffError('bad-flags', '-q and -v pull opposite ways — give one of them', 2);
  if (flags.quiet) return -1;
  if (flags.hexDump) return 3;
  return Math.min(3, flags.verbose ?? 0);
}

export interface Outputs {
  sinks: Sink[];
  /** Resolves when no output records the traffic any more (see OutputFiles): the run ends. */
  fileError: Promise<WerSniffError>;
  /** The first output file failure so far (also while closing): the run exits 1. */
  failure(): WerSniffError | undefined;
  /** The --filter wrapper, when there is one (counts what it showed). */
  filtered?: FilterSink;
  /** --redact: the run's pseudonyms, for other text about traffic (stderr notices). */
  names?: Pseudonyms;
  /** Some output shows decoded traffic (human view, --json, --har): worth inspecting bodies. */
  decoded: boolean;
  /** `--json`: writes one more line into the NDJSON stream (the `stats` event). */
  json?(obj: object): void;
}

/** Whether stdout keeps what it is given: a file or a pipe, not a terminal or /dev/null. */
function stdoutRecords(stdout: NodeJS.WriteStream): boolean {
  try {
    return !fs.fstatSync((stdout as { fd?: number }).fd ?? 1).isCharacterDevice();
  } catch {
    return true;
  }
}

export async function createOutputs(flags: OutputFlags, live: boolean, stdout: NodeJS.WriteStream = process.stdout, extra: Pick<PrettyOptions, 'savedIn'> = {}): Promise<Outputs> {
  const verbosity = verbosityOf(flags);
  // Lines are cut to the terminal's width, and never when the view goes to a file or pipe.
  const widthOf = (s: NodeJS.WriteStream) => (s.isTTY ? s.columns || 80 : undefined);
  if (flags.json && flags.raw) throw new WerSniffError('bad-flags', '--json and --raw both want stdout — pick one (use -o <file> for raw bytes beside --json)', 2);
  if (flags.redact && flags.hexDump) throw new WerSniffError('bad-flags', '--redact and -x/--hex-dump cannot go together: a hexdump shows names that cannot be replaced — drop -x', 2);
  if (flags.write !== undefined && flags.pcap !== undefined && flags.write !== flags.pcap) {
    throw new WerSniffError('bad-flags', '-w and --pcap name the same output (--pcap is its old name) — give one', 2);
  }
  const pcapFile = flags.write ?? flags.pcap;
  const pcapToStdout = pcapFile === '-';
  if (pcapToStdout && (flags.json || flags.raw)) {
    throw new WerSniffError('bad-flags', `-w - puts pcap on stdout, and ${flags.json ? '--json' : '--raw'} wants stdout too — write one of them to a file (-w <file>, or -o <file> for raw bytes)`, 2);
  }
  if (pcapToStdout && stdout.isTTY) {
    throw new WerSniffError('bad-flags', '-w - writes binary pcap, and stdout is a terminal — pipe it (| tshark -r -) or give a file (-w cap.pcap)', 2);
  }
  // Raw outputs (exact bytes: never filtered, never redacted).
  const sinks: Sink[] = [];
  const notice = (line: string): void => void process.stderr.write(`wer-sniff: ${line}\n`);
  // --redact: a learner sees every event first; every derived text goes through the names.
  const names = flags.redact ? new Pseudonyms() : undefined;
  const redacted = (out: Writable): Writable => (names ? new RedactingStream(out, names) : out);
  const omitBinary = Boolean(names);
  const inlineMax = flags.includeBodies ? Infinity : INLINE_BODY_BYTES;
  // What is shown and exported; with --filter these go behind a FilterSink, raw outputs never do.
  // The human and JSON views show each report's check findings (output/checked-sink.ts); the
  // checker sits in front of the filter, so it sees every exchange.
  const shown: Sink[] = [];
  let view: FindingSink | undefined;
  // Closing stdout (`| head`) drops what writes there when files still record (else the run
  // ends: stdout-closed.ts), so only then are the stdout sinks wrapped.
  let stdoutGone = false;
  const recordsElsewhere = live && Boolean(flags.output || (pcapFile && !pcapToStdout) || flags.har || flags.saveDir);
  const onStdout = <S extends Sink>(sink: S): S => (recordsElsewhere ? guarded(sink, () => stdoutGone) : sink);
  let ndjson: NdjsonSink | undefined;
  if (pcapToStdout) {
    // pcap on stdout; the human view moves to stderr so a pipe to tshark gets only pcap.
    const paint = paintFor(flags.color, process.stderr);
    sinks.push(onStdout(new PcapSink(stdout)));
    view = new PrettySink(redacted(process.stderr), { paint, hexDump: Boolean(flags.hexDump), times: live, omitBinary, verbosity, width: widthOf(process.stderr), ...extra });
  } else if (flags.raw) sinks.push(onStdout(new RawSink(stdout, 'client', false, { onNotice: (line) => notice(`--raw: ${line}`) })));
  else if (flags.json) view = onStdout((ndjson = new NdjsonSink(redacted(stdout), false, omitBinary, inlineMax)));
  else {
    const paint = paintFor(flags.color, stdout);
    view = onStdout(new PrettySink(redacted(stdout), { paint, hexDump: Boolean(flags.hexDump), times: live, omitBinary, verbosity, width: widthOf(stdout), ...extra }));
  }
  if (view) shown.push(view);
  const files = new OutputFiles(() => Boolean(flags.saveDir) || (!stdoutGone && stdoutRecords(stdout)), notice);
  // Open every file before anything is accepted, so a bad path fails at once.
  if (flags.output) {
    const stream = await files.open(flags.output, 'capture file', flags.appendOutput);
    const onNotice = (line: string) => notice(`capture file ${flags.output}: ${line}`);
    sinks.push(files.guard(new RawSink(stream, 'client', true, { onNotice }), flags.output, 'capture file'));
  }
  if (pcapFile && !pcapToStdout) sinks.push(files.guard(new PcapSink(await files.open(pcapFile, 'pcap file'), true), pcapFile, 'pcap file'));
  if (flags.har) {
    const file = await files.open(flags.har, 'HAR file');
    const out = names ? new RedactingStream(file, names, true) : file;
    shown.push(files.guard(new HarSink(out, { version: VERSION, omitBinary, inlineMax }, true), flags.har, 'HAR file'));
  }
  if (recordsElsewhere) {
    // docs/faults.md promises the run stops only when nothing records any more: with -o, -w <file>,
    // --har or --save-dir still recording, a closed stdout drops the view and capture goes on.
    const records = [flags.output && `-o ${flags.output}`, pcapFile && !pcapToStdout && `-w ${pcapFile}`, flags.har && `--har ${flags.har}`, flags.saveDir && `--save-dir ${flags.saveDir}`]
      .filter((x): x is string => Boolean(x));
    onStdoutClosed(() => {
      const still = records.filter((r) => r.startsWith('--save-dir') || !files.hasFailed(r));
      if (still.length === 0) return false;
      stdoutGone = true;
      process.stderr.write(`wer-sniff: stdout was closed, so the ${pcapToStdout ? 'pcap on stdout' : flags.raw ? 'raw output on stdout' : 'view'} stopped; capture goes on into ${still.join(', ')} — stop it with Ctrl-C or SIGTERM\n`);
      return true;
    });
  }
  const filtered = flags.filter ? new FilterSink(flags.filter, shown) : undefined;
  const front: Sink[] = filtered ? [new CheckedSink(filtered)] : shown.map((s) => (s === view ? new CheckedSink(view) : s));
  const all = [...(names ? [new RedactLearner(names)] : []), ...front, ...sinks];
  return {
    sinks: all, fileError: files.error, failure: () => files.first, filtered, names, decoded: shown.length > 0,
    json: ndjson && ((obj) => ndjson.writeObject(obj)),
  };
}

/** The output files of one run. A file that fails (disk full, I/O error) is closed and its
 * output disabled with one stderr line; everything else goes on, and the run's exit code says
 * so (`failure()`). Only when no output records the traffic any more — every file failed, no
 * --save-dir, and stdout is a terminal or /dev/null rather than a file or pipe — does the run
 * end (`error`), since serving on would lose what clients send. */
class OutputFiles {
  first: WerSniffError | undefined;
  private fail!: (err: WerSniffError) => void;
  readonly error = new Promise<WerSniffError>((resolve) => (this.fail = resolve));
  private readonly failed = new Set<string>();
  private readonly opened: string[] = [];

  /** Paths of the files opened, by the flag that named them (`-o cap.bin`), for hasFailed. */
  private readonly byFlag = new Map<string, string>();

  constructor(private readonly otherRecord: () => boolean, private readonly notice: (line: string) => void) {}

  /** Whether the output a flag names (`-o cap.bin`, `-w x.pcap`, `--har x.har`) has failed. */
  hasFailed(flag: string): boolean {
    const key = this.byFlag.get(flag);
    return key !== undefined && this.failed.has(key);
  }

  async open(file: string, what: string, append = false): Promise<SyncFileStream> {
    let stream: SyncFileStream;
    try {
      stream = new SyncFileStream(file, append);
    } catch (err) {
      throw new WerSniffError('output-unwritable', `cannot write ${what} ${file}: ${inWords(err)} — check the path and permissions`);
    }
    this.opened.push(`${what} ${file}`);
    this.byFlag.set(`${FLAG_OF[what] ?? what} ${file}`, `${what} ${file}`);
    stream.on('error', (err: NodeJS.ErrnoException) => this.fault(file, what, err));
    return stream;
  }

  private fault(file: string, what: string, err: NodeJS.ErrnoException): void {
    if (this.failed.has(`${what} ${file}`)) return;
    this.failed.add(`${what} ${file}`);
    const code = err.code ?? err.message;
    const hint = code === 'ENOSPC' ? 'free some space' : 'check the disk and the path';
    const rest = this.opened.length > this.failed.size ? 'the other outputs go on' : 'stdout goes on';
    this.notice(`writing ${what} ${file} failed: ${code} — ${what} closed, ${rest}; ${hint} and restart to record to it again`);
    this.first ??= new WerSniffError('output-failed', `${what} ${file} failed during the run (${code}); it holds what was written before that`);
    if (this.failed.size === this.opened.length && !this.otherRecord()) {
      this.fail(new WerSniffError('output-failed', `every output file failed (${[...this.failed].join(', ')}) and nothing else records the traffic — stopped so nothing goes unrecorded`));
    }
  }

  /** `sink` until its file fails, a no-op after: it is never written to, waited for or closed
   * again, and a failure never throws out of close(). */
  guard(sink: Sink, file: string, what: string): Sink {
    return guarded(sink, () => this.failed.has(`${what} ${file}`), (err) => this.fault(file, what, err));
  }
}

const FLAG_OF: Record<string, string> = { 'capture file': '-o', 'pcap file': '-w', 'HAR file': '--har' };

/** `sink` while `off()` is false, a no-op after (not written to, waited for or closed: its
 * stream is gone). Also passes the findings of a FindingSink through. A failure while
 * closing goes to `onCloseError` instead of out of close(). */
function guarded<S extends Sink>(sink: S, off: () => boolean, onCloseError?: (err: NodeJS.ErrnoException) => void): S {
  const s = sink as S & Partial<FindingSink>;
  const wrapped: Sink & Partial<FindingSink> = {
    chunk: s.chunk && ((c, conn) => void (off() || s.chunk!(c, conn))),
    event: s.event && ((ev: CaptureEvent, found?: ReportFindings[]) => void (off() || (s.event as FindingSink['event'])(ev, found))),
    findings: s.findings && ((found) => void (off() || s.findings!(found))),
    shutdown: s.shutdown && ((conn, source, how, ts) => void (off() || s.shutdown!(conn, source, how, ts))),
    waitDrain: s.waitDrain && ((connId?: number) => {
      const wait = off() ? null : s.waitDrain!(connId);
      // A stream that fails while waited for never drains: stop waiting when it fails.
      return wait && wait.catch(() => undefined);
    }),
    close: async () => {
      if (off()) return;
      await (onCloseError ? s.close().catch(onCloseError) : s.close());
    },
  };
  return wrapped as unknown as S;
}
