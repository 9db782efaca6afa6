// Entry point behind bin/wer-sniff.js: runs the program, turns failures into one stderr line
// and an exit code, and ends quietly when stdout is closed early (`| head`) — unless the run
// still records into files (stdout-closed.ts).
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { WerSniffError, inWords } from '../errors.js';
import { stdoutClosed } from './stdout-closed.js';
import type { ListenFlags } from './run-listen.js';
import type { DecodeFlags } from './run-decode.js';
import type { RelayFlags } from './run-relay.js';
import type { ReplayFlags } from './run-replay.js';
import type { SetupFlags, SimulateFlags } from './run-tools.js';
import type { CabFlags } from './run-cab.js';
import type { CheckFlags } from './run-check.js';
import type { DiffFlags } from './run-diff.js';
import type { InspectFlags } from './run-inspect.js';

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
    // Each command loads its code only when it runs, so `--help` starts fast.
    listen: async (flags) => (await import('./run-listen.js')).runListen(flags as unknown as ListenFlags),
    decode: async (files, flags) => (await import('./run-decode.js')).runDecode(files, flags as unknown as DecodeFlags),
    relay: async (flags) => (await import('./run-relay.js')).runRelay(flags as unknown as RelayFlags),
    simulate: async (flags) => (await import('./run-tools.js')).runSimulate(flags as unknown as SimulateFlags),
    setup: async (flags) => (await import('./run-tools.js')).runSetup(flags as unknown as SetupFlags),
    replay: async (files, flags) => (await import('./run-replay.js')).runReplay(files, flags as unknown as ReplayFlags),
    cab: async (file, flags) => (await import('./run-cab.js')).runCab(file, flags as unknown as CabFlags),
    check: async (files, flags) => (await import('./run-check.js')).runCheck(files, flags as unknown as CheckFlags),
    diff: async (a, b, flags) => (await import('./run-diff.js')).runDiff(a, b, flags as unknown as DiffFlags),
    inspect: async (files, flags) => (await import('./run-inspect.js')).runInspect(files, flags as unknown as InspectFlags),
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
