// Entry point behind bin/wer-sniff.js: runs the program, turns failures into one stderr line
// and an exit code, and ends quietly when stdout is closed early (`| head`) — unless the run
// still records into files (stdout-closed.ts).
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { WerSniffError, inWords } from '../errors.js';
import { stdoutClosed } from './stdout-closed.js';
import {
  parseCabFlags, parseCheckFlags, parseDecodeFlags, parseDiffFlags, parseInspectFlags, parseLsFlags, parseListenFlags, parseRelayFlags, parseReplayFlags, parseSetupFlags,
  parseSimulateFlags,
} from './command-flags.js';

export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // Closed early (`| head`): the run ends quietly, unless it still records elsewhere.
    if (err.code === 'EPIPE') {
      if (stdoutClosed()) return;
      process.exit(0);
    }
    process.stderr.write(`wer-sniff: cannot write to stdout: ${err.message}\n`);
    process.exit(1);
  });
  const program = createProgram({
    // Each command loads its code only when it runs, so `--help` starts fast; its flags are
    // typed and checked first (command-flags.ts).
    listen: async (flags) => (await import('./run-listen.js')).runListen(parseListenFlags(flags)),
    decode: async (files, flags) => (await import('./run-decode.js')).runDecode(files, parseDecodeFlags(flags)),
    relay: async (flags) => (await import('./run-relay.js')).runRelay(parseRelayFlags(flags)),
    simulate: async (flags) => (await import('./run-tools.js')).runSimulate(parseSimulateFlags(flags)),
    setup: async (flags) => (await import('./run-tools.js')).runSetup(parseSetupFlags(flags)),
    replay: async (files, flags) => (await import('./run-replay.js')).runReplay(files, parseReplayFlags(flags)),
    cab: async (file, flags) => (await import('./run-cab.js')).runCab(file, parseCabFlags(flags)),
    check: async (files, flags) => (await import('./run-check.js')).runCheck(files, parseCheckFlags(flags)),
    diff: async (a, b, flags) => (await import('./run-diff.js')).runDiff(a, b, parseDiffFlags(flags)),
    inspect: async (files, flags) => (await import('./run-inspect.js')).runInspect(files, parseInspectFlags(flags)),
    ls: async (dir, flags) => (await import('./run-ls.js')).runLs(dir, parseLsFlags(flags)),
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof WerSniffError) {
      process.stderr.write(`wer-sniff: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const sys = err as NodeJS.ErrnoException & { hostname?: string };
    if (sys?.code && sys.syscall) {
      // A file or network failure no command turned into words: still one line, in words.
      const what = sys.path ? ` ${sys.path}` : sys.hostname ? ` ${sys.hostname}` : '';
      process.stderr.write(`wer-sniff: cannot ${sys.syscall}${what}: ${inWords(sys)} — check the path or address\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`wer-sniff: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
