// Value parsers for command-line flags. Each throws commander's InvalidArgumentError with a
// message that says what is accepted.
import { InvalidArgumentError } from 'commander';
import { checkAskItem } from '../domain/server/level1-answer.js';
import { parseFilter, FilterSyntaxError, type Filter } from '../analysis/filter/parse.js';
import { parseAddressRule, type AddressRule } from '../sources/net/access-list.js';
import { createPaint, type Paint } from '../render/paint.js';
import { WER_PORT, type TcpFilter } from '../sources/pcap/capture.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a TCP port 0–65535 (0 picks a free one)');
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** `65536`, `64k`, `64KiB`, `1.5MiB`, `2g`. Binary units. */
export function parseSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError('expected a size like 65536, 64KiB or 64MiB');
  return Math.floor(Number(m[1]) * unit);
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 0x7fffffff) {
    throw new InvalidArgumentError('expected a whole number from 1 to 2147483647');
  }
  return Number(value);
}

export function parseChoice<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of: ${choices.join(', ')}`);
    return value as T;
  };
}

export function collectAsk(value: string, previous: string[] = []): string[] {
  const err = checkAskItem(value);
  if (err) throw new InvalidArgumentError(err);
  return [...previous, value];
}

/** `--response-url`: one line of the level-1 answer, so no line breaks or other controls. */
export function parseResponseUrl(value: string): string {
  if (!value || /[\u0000-\u001f\u007f]/.test(value)) throw new InvalidArgumentError('expected a URL on one line, e.g. https://help.example.test/wer');
  return value;
}

/** `--dump-server`: a host name or address on one line of the level-1 answer. */
export function parseDumpServer(value: string): string {
  if (!/^[A-Za-z0-9.:[\]_-]{1,253}$/.test(value)) throw new InvalidArgumentError('expected a host name or address, e.g. cer.example.test or 192.0.2.10');
  return value;
}

export type ColorChoice = 'auto' | 'always' | 'never';

/** The flag wins; then NO_COLOR, then FORCE_COLOR; then whether stdout is a terminal. */
export function useColor(choice: ColorChoice, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (choice === 'always') return true;
  if (choice === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

/** The paint for output to `stream` under --color `choice` (default auto). */
export function paintFor(choice: ColorChoice | undefined, stream: { isTTY?: boolean } = process.stdout): Paint {
  return createPaint(useColor(choice ?? 'auto', process.env, Boolean(stream.isTTY)));
}

/** `10s`, `500ms`, `1.5s`, `2m`; a bare number is seconds. Returns milliseconds. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(value);
  if (!m) throw new InvalidArgumentError('expected a duration like 10s, 500ms or 2m');
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
  if (ms < 1) throw new InvalidArgumentError('the duration must be at least 1ms');
  return Math.round(ms);
}

/** `host:port`, `[::1]:port`; the port is required. */
export function parseUpstream(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:\s]+):(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new InvalidArgumentError('expected host:port, e.g. cer.example.test:1273 or [::1]:1273');
  }
  return { host: m[1]!, port: Number(m[2]) };
}

/** --max-header-bytes: a size, but at least enough for a request line and a few headers. */
export function parseHeaderLimit(value: string): number {
  const n = parseSize(value);
  if (n < MIN_HEADER_LIMIT) throw new InvalidArgumentError(`expected at least ${MIN_HEADER_LIMIT} bytes (a smaller limit would reject every request)`);
  return n;
}

export const MIN_HEADER_LIMIT = 256;

/** `--filter <expr>`: parsed at once so a bad expression is a usage error naming the column. */
export function parseFilterOption(value: string): Filter {
  try {
    return parseFilter(value);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** `--rate`: requests per second, `10`, `2.5/s`, `120/m`. */
export function parseRate(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m))?\s*$/i.exec(value);
  const n = m ? Number(m[1]) / (m[2]?.toLowerCase() === 'm' ? 60 : 1) : NaN;
  if (!m || !(n > 0) || n > 1_000_000) throw new InvalidArgumentError('expected requests per second above 0, e.g. 10, 0.5 or 120/m');
  return n;
}

/** `--idle-timeout` default, five minutes: far longer than any pause of a real WER client (it
 * sends the report as soon as it connects and the CAB right after the answer), short enough that
 * peers gone without a FIN (a machine switched off mid-upload) don't hold a socket — and the
 * `-o` file, which keeps each connection's bytes together — for ever. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/** `--idle-timeout`: a duration, or `off` / `0` for never. */
export function parseIdleTimeout(value: string): number {
  if (/^\s*(off|never|none|0)\s*$/i.test(value)) return 0;
  return parseDuration(value);
}

/** `--allow` / `--deny`: comma-separated addresses or CIDR blocks; repeatable. */
export function collectRules(value: string, previous: AddressRule[] = []): AddressRule[] {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new InvalidArgumentError('expected addresses or CIDR blocks, e.g. 10.0.0.0/8,192.0.2.7,fd00::/8');
  const rules = parts.map((p) => {
    const r = parseAddressRule(p);
    if (typeof r === 'string') throw new InvalidArgumentError(r);
    return r;
  });
  return [...previous, ...rules];
}

/** Repeatable string flags (`--allowfile a --allowfile b`). */
export function collectStrings(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Which TCP connections of pcap input a command reads, from its --port and --all-ports. */
export function tcpFilterOf(flags: { port?: number; allPorts?: boolean }): TcpFilter {
  return { port: flags.port ?? WER_PORT, allPorts: flags.allPorts };
}
