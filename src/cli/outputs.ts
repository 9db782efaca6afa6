// Maps the output flags shared by listen, relay, decode and replay to the library's sink chain
// (sinks/compose.ts): which flags go together, what stdout carries, the paint for the stream
// the view goes to. A run that still records into files registers how a closed stdout is met.
import type { PrettyOptions } from '../sinks/pretty.js';
import { composeSinks, type SinkChain, type SinkChainOptions, type StdoutUse } from '../sinks/compose.js';
import { WerSniffError } from '../errors.js';
import type { Filter } from '../analysis/filter/parse.js';
import { VERSION } from './program.js';
import { paintFor, type ColorChoice } from './options.js';
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

/** What the run's outputs give its command (see SinkChain). */
export type Outputs = SinkChain;

/** The human view's level: -1 with -q, 3 with -x (a hexdump is a body), else the -v count. */
export function verbosityOf(flags: OutputFlags): number {
  if (flags.quiet && (flags.verbose ?? 0) > 0) throw new WerSniffError('bad-flags', '-q and -v pull opposite ways — give one of them', 2);
  if (flags.quiet) return -1;
  if (flags.hexDump) return 3;
  return Math.min(3, flags.verbose ?? 0);
}

export async function createOutputs(flags: OutputFlags, live: boolean, stdout: NodeJS.WriteStream = process.stdout, extra: Pick<PrettyOptions, 'savedIn'> & Pick<SinkChainOptions, 'savedPath'> = {}): Promise<Outputs> {
  const verbosity = verbosityOf(flags);
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
  const stdoutUse: StdoutUse = pcapToStdout ? 'pcap' : flags.raw ? 'raw' : flags.json ? 'json' : 'view';
  const chain = await composeSinks({
    live,
    stdout,
    stderr: process.stderr,
    stdoutUse,
    stdoutLabel: '--raw',
    // With pcap on stdout the human view goes to stderr, and is coloured for it.
    view: { paint: paintFor(flags.color, pcapToStdout ? process.stderr : stdout), hexDump: Boolean(flags.hexDump), verbosity, savedIn: extra.savedIn },
    captureFile: flags.output ? { path: flags.output, label: `-o ${flags.output}`, append: flags.appendOutput } : undefined,
    pcapFile: pcapFile && !pcapToStdout ? { path: pcapFile, label: `-w ${pcapFile}` } : undefined,
    harFile: flags.har ? { path: flags.har, label: `--har ${flags.har}` } : undefined,
    reportFolders: flags.saveDir ? `--save-dir ${flags.saveDir}` : undefined,
    savedPath: extra.savedPath,
    redact: Boolean(flags.redact),
    includeBodies: Boolean(flags.includeBodies),
    filter: flags.filter,
    version: VERSION,
    notice: (line) => void process.stderr.write(`wer-sniff: ${line}\n`),
  });
  if (chain.stdoutClosed) onStdoutClosed(chain.stdoutClosed);
  return chain;
}
