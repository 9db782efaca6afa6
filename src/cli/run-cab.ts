// `wer-sniff cab`: list, summarise and extract a CAB offline, in one pass over the file (the
// view's summaries and the extracted files come from one extraction, cab-inspect.ts). Its own
// module, so the command loads only the CAB, minidump and rendering code it uses.
import fs from 'node:fs';
import path from 'node:path';
import { safeExtractPath } from '../domain/cab/cab-extract.js';
import { parseCabSource } from '../domain/cab/cab-source.js';
import { formatCabView } from '../render/format-cab-view.js';
import { inspectCab, type CabInspection } from '../pipeline/workers/cab-inspect.js';
import { fileSource } from '../pipeline/workers/file-read.js';
import { WerSniffError, inWords } from '../errors.js';
import { escapeControl } from '../util/escape.js';
import { paintFor, type ColorChoice } from './options.js';
import { Pseudonyms } from '../analysis/redact/pseudonyms.js';
import { learnFromCab } from '../analysis/redact/collect.js';

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
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new WerSniffError('input-missing', `cannot read ${file}: ${inWords(err)}`);
  }
  let inspection: CabInspection;
  try {
    const src = fileSource(fd);
    if (flags.extract) refuseOverwrite(flags.extract, parseCabSource(src).files.map((f) => f.name), flags.force);
    // One pass: the view's summaries and the extracted files come from one extraction.
    inspection = inspectCab(src, flags.extract ? { extractDir: flags.extract, overwrite: flags.force } : {});
  } finally {
    fs.closeSync(fd);
  }
  const { view, extracted } = inspection;
  const names = flags.redact ? new Pseudonyms() : undefined;
  if (names) learnFromCab(names, view);
  const show = (text: string): string => (names ? names.redact(text) : text);
  if (flags.json) process.stdout.write(show(JSON.stringify({ file, header: view.cab.header, folders: view.cab.folders, files: view.cab.files, entries: view.entries, problems: view.cab.problems }) + '\n'));
  else process.stdout.write(show(formatCabView(view, paintFor(flags.color)).join('\n') + '\n'));
  let failed = view.cab.problems.length > 0 || view.entries.some((e) => e.error);
  if (flags.extract && extracted && view.cab.header) {
    for (const e of extracted.errors) process.stderr.write(`wer-sniff: ${escapeControl(names ? names.redact(e.name) : e.name)}: ${escapeControl(e.message)}\n`);
    process.stderr.write(`extracted ${extracted.written.length} file${extracted.written.length === 1 ? '' : 's'} to ${flags.extract}\n`);
    failed ||= extracted.errors.length > 0;
  }
  if (!view.cab.header) return 1;
  return failed ? 3 : 0;
}
