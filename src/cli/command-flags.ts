// One parse function per command: commander's action options in, the command's typed flags
// out (interfaces beside each run-*.ts). Every flag a command declares in program.ts is read
// here with its type checked (flag-reader.ts), so a mismatch fails at this one place.
import { FlagReader, isEndpoint, isObject, isObjectList } from './flag-reader.js';
import type { OutputFlags } from './outputs.js';
import type { ServerFlags } from './server-flags.js';
import type { ListenFlags } from './run-listen.js';
import type { RelayFlags } from './run-relay.js';
import type { DecodeFlags } from './run-decode.js';
import type { ReplayFlags } from './run-replay.js';
import type { SetupFlags, SimulateFlags } from './run-tools.js';
import type { CabFlags } from './run-cab.js';
import type { CheckFlags } from './run-check.js';
import type { DiffFlags } from './run-diff.js';
import type { InspectFlags } from './run-inspect.js';
import type { LsFlags } from './run-ls.js';
import type { WebFlags } from './web-flags.js';
import type { Filter } from '../analysis/filter/parse.js';
import type { AddressRule } from '../sources/net/access-list.js';
import { KINDS, type Kind } from '../tools/sim/kind-names.js';
import type { CabCompressionName } from '../domain/cab/cab-writer.js';

type Raw = Record<string, unknown>;
/** Every flag of `T` named, even the optional ones: a flag added to an interface and not read
 * here fails to compile. */
type Every<T> = T & { [K in keyof Required<T>]: T[K] | undefined };
const COLORS = ['auto', 'always', 'never'] as const;
const isFilter = (v: unknown): v is Filter => isObject(v) && typeof (v as { type?: unknown }).type === 'string';
const isRules = (v: unknown): v is AddressRule[] => isObjectList(v);
const isKinds = (v: unknown): v is Kind[] => Array.isArray(v) && v.every((k) => (KINDS as readonly unknown[]).includes(k));
/** The same list as program.ts gives --compression (a type-only import keeps the CAB writer unloaded). */
const COMPRESSIONS = ['none', 'mszip', 'lzx'] as const satisfies readonly CabCompressionName[];

/** The view and output flags of listen, relay, decode and replay (program-options.ts outputOptions). */
function outputFlags(f: FlagReader): Every<OutputFlags> {
  return {
    json: f.bool('json'), raw: f.bool('raw'), output: f.optString('output'), appendOutput: f.bool('appendOutput'),
    color: f.optChoice('color', COLORS), hexDump: f.bool('hexDump'), write: f.optString('write'), pcap: f.optString('pcap'),
    har: f.optString('har'), includeBodies: f.bool('includeBodies'), filter: f.value('filter', isFilter, 'a parsed --filter'),
    redact: f.bool('redact'), saveDir: f.optString('saveDir'), verbose: f.optNumber('verbose'), quiet: f.bool('quiet'),
  };
}

/** The flags of the commands that accept connections (program-options.ts serverOptions). */
function serverFlags(f: FlagReader): Every<ServerFlags & { stats?: number }> {
  return {
    bind: f.string('bind'), maxConns: f.optNumber('maxConns'), idleTimeout: f.number('idleTimeout'),
    allow: f.value('allow', isRules, 'address rules'), deny: f.value('deny', isRules, 'address rules'),
    allowfile: f.strings('allowfile'), denyfile: f.strings('denyfile'),
    tls: f.bool('tls'), cert: f.optString('cert'), key: f.optString('key'), saveCert: f.optString('saveCert'), certName: f.strings('certName'),
    stats: f.optNumber('stats'),
  };
}

/** The web inspector's flags (web-flags.ts webOptions); `redact` is read with the output flags. */
function webFlags(f: FlagReader): Every<Omit<WebFlags, 'redact'>> {
  return { web: f.value('web', isEndpoint, '[address:]port'), webHistory: f.optNumber('webHistory'), webBindPublic: f.bool('webBindPublic') };
}

function limits(f: FlagReader): { maxHeaderBytes: number; maxBodyBytes: number } {
  return { maxHeaderBytes: f.number('maxHeaderBytes'), maxBodyBytes: f.number('maxBodyBytes') };
}

function pcapInput(f: FlagReader): Every<{ port?: number; allPorts?: boolean }> {
  return { port: f.optNumber('port'), allPorts: f.bool('allPorts') };
}

export function parseListenFlags(raw: Raw): ListenFlags {
  const f = new FlagReader('listen', raw);
  return {
    ...outputFlags(f), ...serverFlags(f), ...limits(f), ...webFlags(f),
    port: f.number('port'), once: f.bool('once'), respond: f.choice('respond', ['none', 'ok', 'cer'] as const),
    bucket: f.optNumber('bucket'), bucketTable: f.optNumber('bucketTable'), ask: f.strings('ask') ?? [],
    responseUrl: f.optString('responseUrl'), dumpServer: f.optString('dumpServer'), cab: f.bool('cab') ?? true,
    responseFile: f.optString('responseFile'),
  } satisfies Every<ListenFlags>;
}

export function parseRelayFlags(raw: Raw): RelayFlags {
  const f = new FlagReader('relay', raw);
  return {
    ...outputFlags(f), ...serverFlags(f), ...limits(f), ...webFlags(f),
    to: f.endpoint('to'), port: f.number('port'), connectTimeout: f.number('connectTimeout'),
    onUpstreamError: f.choice('onUpstreamError', ['close', '502'] as const),
    upstreamTls: f.bool('upstreamTls'), insecure: f.bool('insecure'), upstreamCa: f.optString('upstreamCa'),
  } satisfies Every<RelayFlags>;
}

export function parseDecodeFlags(raw: Raw): DecodeFlags {
  const f = new FlagReader('decode', raw);
  return { ...outputFlags(f), ...limits(f), ...pcapInput(f), ...webFlags(f) } satisfies Every<DecodeFlags>;
}

export function parseInspectFlags(raw: Raw): InspectFlags {
  const f = new FlagReader('inspect', raw);
  return { ...limits(f), ...pcapInput(f), ...webFlags(f), redact: f.bool('redact') } satisfies Every<InspectFlags>;
}

export function parseLsFlags(raw: Raw): LsFlags {
  const f = new FlagReader('ls', raw);
  return {
    filter: f.value('filter', isFilter, 'a parsed --filter'), json: f.bool('json'), color: f.optChoice('color', COLORS),
    maxBodyBytes: f.number('maxBodyBytes'),
  } satisfies Every<LsFlags>;
}

export function parseReplayFlags(raw: Raw): ReplayFlags {
  const f = new FlagReader('replay', raw);
  return {
    ...outputFlags(f), ...limits(f), ...pcapInput(f),
    to: f.endpoint('to'), newConnection: f.bool('newConnection'), rate: f.optNumber('rate'), count: f.number('count'), timeout: f.number('timeout'),
  } satisfies Every<ReplayFlags>;
}

export function parseSimulateFlags(raw: Raw): SimulateFlags {
  const f = new FlagReader('simulate', raw);
  return {
    to: f.endpoint('to'), kind: f.value('kind', isKinds, 'report kinds') ?? ['appcrash'], cab: f.optString('cab'),
    compression: f.optChoice('compression', COMPRESSIONS), count: f.number('count'), timeout: f.number('timeout'),
    machines: f.optNumber('machines'), color: f.optChoice('color', COLORS),
  } satisfies Every<SimulateFlags>;
}

export function parseSetupFlags(raw: Raw): SetupFlags {
  const f = new FlagReader('setup', raw);
  return { server: f.string('server'), port: f.number('port'), regFile: f.optString('regFile'), undo: f.bool('undo'), tls: f.bool('tls') } satisfies Every<SetupFlags>;
}

export function parseCabFlags(raw: Raw): CabFlags {
  const f = new FlagReader('cab', raw);
  return { extract: f.optString('extract'), force: f.bool('force'), json: f.bool('json'), redact: f.bool('redact'), color: f.optChoice('color', COLORS) } satisfies Every<CabFlags>;
}

export function parseCheckFlags(raw: Raw): CheckFlags {
  const f = new FlagReader('check', raw);
  return { json: f.bool('json'), color: f.optChoice('color', COLORS), ...limits(f), ...pcapInput(f) } satisfies Every<CheckFlags>;
}

export function parseDiffFlags(raw: Raw): DiffFlags {
  const f = new FlagReader('diff', raw);
  return {
    all: f.bool('all'), ignore: f.strings('ignore') ?? [], json: f.bool('json'), color: f.optChoice('color', COLORS),
    maxBodyBytes: f.number('maxBodyBytes'), ...pcapInput(f),
  } satisfies Every<DiffFlags>;
}
