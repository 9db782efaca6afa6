// The option sets several commands share (output flags, server flags, pcap input, colour) and
// how their defaults read in help. Used by program.ts; nothing here touches sockets or files.
import { Command, Option } from 'commander';
import {
  parsePort, parseSize, parsePositiveInt, parseDuration, parseHeaderLimit, parseFilterOption,
  collectRules, collectStrings, parseIdleTimeout, DEFAULT_IDLE_TIMEOUT_MS,
} from './options.js';
import { MAX_HEADER_BYTES } from '../pipeline/http/framer-api.js';
import { MAX_BODY_BYTES } from '../pipeline/http/body-assembler.js';
import { WerSniffError } from '../errors.js';

/** A default size as help shows it: 64MiB, not 67108864. */
export function sizeText(n: number): string {
  for (const [unit, f] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (n % f === 0) return `${n / f}${unit}`;
  return `${n} bytes`;
}

/** --color, with what it colours. */
export function colorOption(what: string): Option {
  return new Option('--color <when>', `colour ${what}`).choices(['auto', 'always', 'never']).default('auto');
}

/** --port and --all-ports of the commands that read pcap input; `verb` says what they do. */
export function portOption(verb: string): Option {
  return new Option('--port <n>', `pcap input: ${verb} TCP connections to or from this port`).argParser(parsePort).default(1273);
}
export function allPortsOption(verb: string): Option {
  return new Option('--all-ports', `pcap input: ${verb} every TCP connection`);
}

/** `-v` counts: `-vvv` is 3. */
export function moreVerbose(_value: string, previous: number): number {
  return previous + 1;
}

export function outputOptions(cmd: Command, live: boolean): Command {
  cmd
    .option('-v, --verbose', 'more per exchange: -v crash summary, findings, the answer explained, CAB and minidump; -vv also headers; -vvv also bodies (default: one line per exchange)', moreVerbose, 0)
    .option('-q, --quiet', 'nothing per exchange: only problems, check errors and the final summary')
    .option('--json', 'NDJSON events on stdout, one per line (schema in docs/json.md); not changed by -v/-q')
    .option('-x, --hex-dump', 'show bodies as a hexdump (implies -vvv)')
    .addOption(colorOption('the human view'))
    .addOption(new Option('--max-header-bytes <size>', 'largest request/response head accepted').argParser(parseHeaderLimit).default(MAX_HEADER_BYTES, sizeText(MAX_HEADER_BYTES)))
    .addOption(new Option('--max-body-bytes <size>', 'largest body kept in memory for decoding (larger ones are still captured, hashed and summarised)').argParser(parseSize).default(MAX_BODY_BYTES, sizeText(MAX_BODY_BYTES)))
    .option('-w, --write <file>', 'also write every connection to <file> as pcap (real addresses, TCP synthesised around the exact bytes) for Wireshark/tshark; - for stdout (the human view then goes to stderr)')
    .addOption(new Option('--pcap <file>', 'old name of --write').hideHelp())
    .option('--har <file>', 'also write every exchange to <file> as HAR 1.2 (each entry as its exchange ends) for browser devtools and HAR viewers')
    .option('--include-bodies', '--har and --json: keep bodies over 1 MiB whole (text or base64) instead of naming them by size and sha256')
    .option('--filter <expr>', 'show and export (view, --json, --har) only matching exchanges, e.g. \'event=APPCRASH and machine~WKS-\' (language in docs/filters.md); raw outputs stay complete', parseFilterOption)
    .option('--redact', 'replace machine, user and domain names and profile folders in the human view, --json and --har by stable pseudonyms (machine-1, user-1, domain-1); raw outputs stay exact');
  if (live) {
    cmd
      .option('--raw', 'stdout carries exactly the bytes clients sent, nothing else (like nc -l)')
      .option('-o, --output <file>', 'also write the exact client bytes to <file>')
      .option('--append-output', 'append to the --output file instead of truncating it');
  }
  return cmd;
}

/** Flags of the commands that accept connections (listen, relay): limits, access, TLS. */
export function serverOptions(cmd: Command): Command {
  return cmd
    .option('--stats <time>', 'also print the bucket table on stderr every <time> (30s, 5m); it is always printed when the run stops', parseDuration)
    .option('--max-conns <n>', 'connections open at once; beyond it new ones are accepted, logged and closed', parsePositiveInt)
    .addOption(new Option('--idle-timeout <time>', 'close a connection silent for this long in both directions, keeping its bytes; off = never')
      .argParser(parseIdleTimeout).default(DEFAULT_IDLE_TIMEOUT_MS, '5m'))
    .option('--allow <cidr,...>', 'only these clients may connect: addresses or CIDR blocks, IPv4/IPv6 (repeatable)', collectRules)
    .option('--deny <cidr,...>', 'refuse these clients; wins over --allow (repeatable)', collectRules)
    .option('--allowfile <file>', 'like --allow: one address or CIDR per line, # comments (repeatable)', collectStrings)
    .option('--denyfile <file>', 'like --deny: one address or CIDR per line, # comments (repeatable)', collectStrings)
    .option('--tls', 'speak HTTPS to clients (CorporateWERUseSSL=1); without --cert/--key a self-signed certificate is made')
    .option('--cert <file>', 'PEM certificate (chain) for --tls (implies --tls)')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--save-cert <file>', 'keep the generated certificate in <file>, its key in <file>.key, and reuse them on later runs')
    .option('--cert-name <name>', 'extra host name or address for the generated certificate (repeatable)', collectStrings);
}

/** `-b`, or the wildcard address of the family `-4`/`-6` picks (IPv4 by default). */
export function resolveBind(opts: Record<string, unknown>): Record<string, unknown> {
  if (opts['4'] && opts['6']) throw new WerSniffError('bad-flags', '-4 and -6 pick opposite address families — give one of them', 2);
  return { ...opts, bind: opts.bind ?? (opts['6'] ? '::' : '0.0.0.0') };
}
