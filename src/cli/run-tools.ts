// The small commands: `simulate` (a WER client) and `setup` (registry lines); `cab` is in
// run-cab.ts, so that it loads none of simulate's code.
import fs from 'node:fs';
import { simulate } from '../tools/sim/simulate.js';
import type { Kind } from '../tools/sim/kind-names.js';
import { makeRegCommands, makeRegFile, makeRegNotes, makeUndoCommands, makeUndoRegFile } from '../domain/server/setup.js';
import type { CabCompressionName } from '../domain/cab/cab-writer.js';
import { WerSniffError, inWords } from '../errors.js';
import { paintFor, type ColorChoice } from './options.js';

export interface SimulateFlags {
  to: { host: string; port: number };
  kind: Kind[];
  cab?: string;
  compression?: CabCompressionName;
  count: number;
  timeout: number;
  machines?: number;
  color?: ColorChoice;
}

export async function runSimulate(flags: SimulateFlags): Promise<number> {
  const res = await simulate({
    to: flags.to, kinds: flags.kind, count: flags.count, cabFile: flags.cab, compression: flags.compression, timeoutMs: flags.timeout, machines: flags.machines,
    out: process.stdout, paint: paintFor(flags.color),
  });
  process.stderr.write(`simulate: ${res.reports} level-1 report${res.reports === 1 ? '' : 's'} answered, ${res.cabsSent} CAB${res.cabsSent === 1 ? '' : 's'} accepted\n`);
  return res.reports === flags.count * flags.kind.length ? 0 : 4;
}

export interface SetupFlags {
  server: string;
  port: number;
  regFile?: string;
  undo?: boolean;
  tls?: boolean;
}

export function runSetup(flags: SetupFlags): number {
  const lines = flags.undo ? makeUndoCommands(flags.tls) : [...makeRegCommands(flags), ...makeRegNotes(flags)];
  if (flags.tls && !flags.undo) {
    // Windows must trust the certificate `listen --tls` uses before it will send over HTTPS.
    lines.push(':: and trust the certificate wer-sniff listen --tls uses (keep it with --save-cert wer-sniff.crt):', 'certutil -addstore Root wer-sniff.crt');
  }
  process.stdout.write(`:: run on the Windows machine, in an elevated prompt (wer-sniff changes nothing itself)\n${lines.join('\n')}\n`);
  if (flags.regFile) {
    try {
      fs.writeFileSync(flags.regFile, flags.undo ? makeUndoRegFile(flags.tls) : makeRegFile(flags));
    } catch (err) {
      throw new WerSniffError('reg-file', `cannot write ${flags.regFile}: ${inWords(err)}`);
    }
    process.stderr.write(`wrote ${flags.regFile} (double-click it on the Windows machine, or: reg import ${flags.regFile})\n`);
  }
  return 0;
}
