// `--save-dir <dir>` for listen, relay and decode: the ReportStore (sinks/save-dir/), opened
// before anything is accepted so a bad folder fails at once, with its error lines redacted
// like every other line about traffic.
import { ReportStore } from '../sinks/save-dir/report-store.js';
import { WerSniffError, inWords } from '../errors.js';
import type { Pseudonyms } from '../analysis/redact/pseudonyms.js';

export async function openSaveDir(dir: string | undefined, names?: Pseudonyms): Promise<ReportStore | undefined> {
  if (!dir) return undefined;
  try {
    return await ReportStore.open(dir, (m) => process.stderr.write(`wer-sniff: ${names ? names.redact(m) : m}\n`));
  } catch (err) {
    throw new WerSniffError('save-dir', `cannot use --save-dir ${dir}: ${inWords(err)} — check the path and permissions`);
  }
}

/** The error a run ends with when --save-dir could not save every report whole. */
export function saveDirLost(lost: number, dir: string): WerSniffError {
  return new WerSniffError('save-dir-lost', `${lost} ${lost === 1 ? 'report was' : 'reports were'} not saved whole in --save-dir ${dir} (the lines above say why) — free disk space or raise the open-file limit (ulimit -n); -o/-w captures still hold them`);
}
