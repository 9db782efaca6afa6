// The `ls` action: the report folders of a save-dir, one line each (or NDJSON), oldest first,
// those `--filter` rules out left out. Exit 0 listed (also when none matched), 2 not a
// save-dir or unreadable.
import type { Filter } from '../analysis/filter/parse.js';
import { listSavedReports } from '../sources/files/saved-reports.js';
import { formatSavedReports, savedReportJson } from '../render/format-saved.js';
import { paintFor, type ColorChoice } from './options.js';
import { escapeControl } from '../util/escape.js';

export interface LsFlags {
  filter?: Filter;
  json?: boolean;
  color?: ColorChoice;
  maxBodyBytes: number;
}

export async function runLs(dir: string, flags: LsFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const rows = await listSavedReports(dir, {
    filter: flags.filter,
    maxBodyBytes: flags.maxBodyBytes,
    onNotice: (m) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
  });
  let text: string;
  if (flags.json) text = rows.map((r) => JSON.stringify(savedReportJson(r)) + '\n').join('');
  else {
    const width = out.isTTY && out.columns ? out.columns : undefined;
    text = formatSavedReports(rows, paintFor(flags.color, out), width).join('\n') + '\n';
  }
  await new Promise<void>((resolve) => out.write(text, () => resolve()));
  if (flags.filter && !flags.json) process.stderr.write(`wer-sniff: ${rows.length} report${rows.length === 1 ? '' : 's'} matched --filter\n`);
  return 0;
}
