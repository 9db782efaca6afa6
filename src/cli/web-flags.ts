// The `--web` flags of listen, relay, decode and inspect, and how their values read. Apart from
// web-wiring.ts so that --help does not load the inspector.
import { InvalidArgumentError, type Command } from 'commander';
import { parsePositiveInt } from './options.js';

export const DEFAULT_WEB_HOST = '127.0.0.1';

export interface WebFlags {
  web?: { host: string; port: number };
  webHistory?: number;
  webBindPublic?: boolean;
  redact?: boolean;
}

/** `8273`, `:8273`, `127.0.0.1:8273`, `[::1]:0`, `localhost:8273`. */
export function parseWebAddress(value: string): { host: string; port: number } {
  const v = value.trim();
  const m = /^(\d+)$/.exec(v) ?? /^:(\d+)$/.exec(v);
  const full = m ? undefined : /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^\s:[\]]+):(\d+)$/.exec(v);
  const port = Number(m ? m[1] : full?.[2]);
  if ((!m && !full) || !(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError('expected [address:]port, e.g. 8273, :0, 127.0.0.1:8273 or [::1]:8273');
  }
  return { host: full ? full[1]! : DEFAULT_WEB_HOST, port };
}

export function webOptions(cmd: Command, defaultAddress?: string): Command {
  const what = 'serve the web inspector on [address:]port (address 127.0.0.1 unless given; 0 picks a free port): a live list, details, CABs, stacks, findings, downloads';
  if (defaultAddress) cmd.option('--web <[addr:]port>', what, parseWebAddress, parseWebAddress(defaultAddress));
  else cmd.option('--web <[addr:]port>', what, parseWebAddress);
  return cmd
    .option('--web-history <n>', 'exchanges the web inspector keeps (older ones are only counted; default 10000)', parsePositiveInt)
    .option('--web-bind-public', 'let --web bind an address other than loopback (anyone who reaches it and has the token sees the traffic)');
}

