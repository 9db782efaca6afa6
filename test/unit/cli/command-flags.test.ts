// The per-command flag parsers against the real commander program: what commander hands an
// action parses into typed flags, every option a command declares is read, and a value of the
// wrong type is refused in one line that names the flag.
import { describe, expect, test } from 'vitest';
import { createProgram, type Actions } from '../../../src/cli/program.js';
import {
  parseCabFlags, parseCheckFlags, parseDecodeFlags, parseDiffFlags, parseInspectFlags, parseListenFlags, parseLsFlags, parseRelayFlags, parseReplayFlags, parseSetupFlags,
  parseSimulateFlags,
} from '../../../src/cli/command-flags.js';

const PARSERS: Record<string, (raw: Record<string, unknown>) => object> = {
  listen: parseListenFlags, relay: parseRelayFlags, decode: parseDecodeFlags, replay: parseReplayFlags, simulate: parseSimulateFlags,
  setup: parseSetupFlags, cab: parseCabFlags, check: parseCheckFlags, diff: parseDiffFlags, inspect: parseInspectFlags, ls: parseLsFlags,
};

/** Runs argv through the program; returns the command's parsed flags. */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> | undefined;
  const take = (cmd: string) => async (...args: unknown[]) => {
    out = PARSERS[cmd]!(args.at(-1) as Record<string, unknown>) as Record<string, unknown>;
    return 0;
  };
  const actions = Object.fromEntries(Object.keys(PARSERS).map((c) => [c, take(c)])) as unknown as Actions;
  await createProgram(actions).parseAsync(['node', 'wer-sniff', ...argv]);
  return out!;
}

describe('command flag parsers', () => {
  test('listen: defaults and given values come out typed', async () => {
    const f = await parsed(['listen', '8080', '-vv', '--filter', 'event=APPCRASH', '--allow', '10.0.0.0/8', '--ask', 'docs', '--no-cab', '--stats', '30s']);
    expect(f).toMatchObject({ port: 8080, bind: '0.0.0.0', verbose: 2, respond: 'cer', ask: ['docs'], cab: false, stats: 30_000, idleTimeout: 300_000 });
    expect(f.filter).toMatchObject({ type: 'compare' });
    expect(f.allow).toHaveLength(1);
  });

  test('relay, replay, simulate, diff: endpoints, choices and lists', async () => {
    expect(await parsed(['relay', '--to', '[::1]:1273', '-6', '--on-upstream-error', '502'])).toMatchObject({ to: { host: '::1', port: 1273 }, bind: '::', onUpstreamError: '502', connectTimeout: 10_000 });
    expect(await parsed(['replay', 'x.bin', '--to', '127.0.0.1:9', '--rate', '120/m'])).toMatchObject({ to: { host: '127.0.0.1', port: 9 }, rate: 2, count: 1, port: 1273 });
    expect(await parsed(['simulate', '--kind', 'hang,bluescreen', '--compression', 'lzx'])).toMatchObject({ kind: ['hang', 'bluescreen'], compression: 'lzx', to: { host: '127.0.0.1', port: 1273 } });
    expect(await parsed(['diff', 'a', 'b', '--ignore', 'eventtime', '--all'])).toMatchObject({ ignore: ['eventtime'], all: true });
  });

  test('every option a command declares is read by its parser', async () => {
    const program = createProgram({} as Actions);
    // -4/-6 pick the bind address; -l/-k are accepted and ignored (nc habits).
    const ignored = new Set(['4', '6', 'l', 'k', 'version']);
    for (const cmd of program.commands) {
      const parse = PARSERS[cmd.name()];
      expect(parse, cmd.name()).toBeDefined();
      const minimal: Record<string, unknown> = { bind: '0.0.0.0', to: { host: 'h', port: 1 }, server: 's' };
      for (const o of cmd.options) if (o.defaultValue !== undefined) minimal[o.attributeName()] = o.defaultValue;
      const keys = Object.keys(parse!(minimal));
      const missing = cmd.options.map((o) => o.attributeName()).filter((n) => !ignored.has(n) && !keys.includes(n));
      expect(missing, cmd.name()).toEqual([]);
    }
  });

  test('a value of the wrong type fails in one line naming the flag', () => {
    const base = { port: 1273, bind: '0.0.0.0', respond: 'cer', idleTimeout: 1, maxHeaderBytes: 1, maxBodyBytes: 1 };
    expect(() => parseListenFlags({ ...base, maxBodyBytes: '64MiB' })).toThrow(/listen --max-body-bytes should be a number but is string/);
    expect(() => parseListenFlags({ ...base, respond: 'maybe' })).toThrow(/--respond should be one of none, ok, cer/);
    expect(() => parseDecodeFlags({ maxHeaderBytes: 1, maxBodyBytes: 1, filter: 'event=x' })).toThrow(/decode --filter should be a parsed --filter but is string/);
    expect(() => parseRelayFlags({ ...base })).toThrow(/relay --to should be host:port but is nothing/);
  });
});
