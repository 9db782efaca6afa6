// The small commands: `simulate` (a WER client), `setup` (registry lines) and `cab` (list,
// summarise and extract a CAB offline).
import fs from 'node:fs';
import path from 'node:path';
import { safeExtractPath } from '../domain/cab/cab-extract.js';
import { simulate } from '../tools/sim/simulate.js';
import type { Kind } from '../tools/sim/kind-names.js';
import { makeRegCommands, makeRegFile, makeRegNotes, makeUndoCommands, makeUndoRegFile } from '../domain/server/setup.js';
import { parseCabView } from '../domain/cab/cab-view.js';
import { formatCabView } from '../render/format-cab-view.js';
import { extractCabToDir } from '../pipeline/workers/cab-files.js';
import type { CabCompressionName } from '../domain/cab/cab-writer.js';
import { WerSniffError, inWords } from '../errors.js';
import { escapeControl } from '../util/escape.js';
import { paintFor, type ColorChoice } from './options.js';
import { Pseudonyms } from '../analysis/redact/pseudonyms.js';
import { learnFromCab } from '../analysis/redact/collect.js';


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

/** `cab --extract` into a folder that already holds some of the files: a refusal (exit 2)
 * before anything is written, unless --force. */
function refuseOverwrite(dir: string, names: string[], force?: boolean): void {
  if (force) return;
  const there = names.filter((n) => fs.existsSync(path.join(dir, safeExtractPath(n))));
  if (!there.length) return;
  const first = escapeControl(there[0]!);
  throw new WerSniffError('extract-exists', `${dir} already holds ${there.length === 1 ? first : `${there.length} of these files (${first}, …)`} — nothing extracted; give an empty folder, or --force to overwrite`, 2);
}

export interface CabFlags {
  extract?: string;
  force?: boolean;
  json?: boolean;
  redact?: boolean;
  color?: ColorChoice;
}

export async function runCab(file: string, flags: CabFlags): Promise<number> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new WerSniffError('input-missing', `cannot read ${file}: ${inWords(err)}`);
  }
  const view = parseCabView(buf);
  const names = flags.redact ? new Pseudonyms() : undefined;
  if (names) learnFromCab(names, view);
  const show = (text: string): string => (names ? names.redact(text) : text);
  if (flags.json) process.stdout.write(show(JSON.stringify({ file, header: view.cab.header, folders: view.cab.folders, files: view.cab.files, entries: view.entries, problems: view.cab.problems }) + '\n'));
  else process.stdout.write(show(formatCabView(view, paintFor(flags.color)).join('\n') + '\n'));
  let failed = view.cab.problems.length > 0 || view.entries.some((e) => e.error);
  if (flags.extract) {
    refuseOverwrite(flags.extract, view.entries.map((e) => e.name), flags.force);
    const res = await extractCabToDir(buf, flags.extract, { overwrite: flags.force });
    for (const e of res.errors) process.stderr.write(`wer-sniff: ${escapeControl(names ? names.redact(e.name) : e.name)}: ${escapeControl(e.message)}\n`);
    process.stderr.write(`extracted ${res.written.length} file${res.written.length === 1 ? '' : 's'} to ${flags.extract}\n`);
    failed ||= res.errors.length > 0;
  }
  if (!view.cab.header) return 1;
  return failed ? 3 : 0;
}
