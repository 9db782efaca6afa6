// The `check` action: saved captures through the same Recorder as `decode`, every level-1
// report and its conversation checked (src/check), findings printed per report. A `--save-dir`
// folder (or a folder of them) is checked from its level1.http and response.txt, and its
// report.cab stands for the upload. Exit 0 no errors, 1 errors found, 2 unreadable input (or no
// report in it).
import fs from 'node:fs';
import { Recorder } from '../pipeline/recorder.js';
import { decodeInputs, openInputs, type DecodeInput } from '../sources/files/decode-file.js';
import { escapeControl } from '../util/escape.js';
import { CheckCollector, type CheckedReport } from '../analysis/check/collector.js';
import { countBySeverity } from '../analysis/check/rules.js';
import { WerSniffError } from '../errors.js';
import { readSavedCab, reportFolders, reportFolderStream } from '../sources/files/load-conversations.js';
import type { Upload } from '../analysis/check/conversation.js';
import { formatCheckedReport, formatCheckSummary } from '../render/format-check.js';
import { tcpFilterOf, paintFor, type ColorChoice } from './options.js';
import { append } from '../util/append.js';

export interface CheckFlags {
  json?: boolean;
  color?: ColorChoice;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

/** Any failure to read becomes exit code 2 ("unreadable input"). */
function unreadable(err: unknown): WerSniffError {
  if (err instanceof WerSniffError) return new WerSniffError(err.code, err.message, 2);
  return new WerSniffError('input-failed', `reading the input failed: ${(err as Error).message}`, 2);
}

/** Checks the reports in `inputs` (one conversation across them). `savedCab`: a `--save-dir`
 * folder's CAB, judged as the upload of its report (the folder keeps the CAB, not the PUT). */
export async function checkCaptures(inputs: DecodeInput[], flags: Pick<CheckFlags, 'maxHeaderBytes' | 'maxBodyBytes' | 'port' | 'allPorts'>, savedCab?: Upload): Promise<CheckedReport[]> {
  const collector = new CheckCollector(Date.now);
  const recorder = new Recorder({ sinks: [collector], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  try {
    await decodeInputs(inputs, recorder, {
      filter: tcpFilterOf(flags),
      onNotice: (m) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
    });
  } catch (err) {
    throw unreadable(err);
  } finally {
    await recorder.close();
  }
  if (savedCab) collector.savedCab(savedCab);
  return collector.finish();
}

/** One `--save-dir` report folder: level1.http and response.txt as its capture, its CAB as the
 * upload. Each folder is a run of its own: its CAB belongs to its report only. */
async function checkReportFolder(folder: string, flags: Pick<CheckFlags, 'maxHeaderBytes' | 'maxBodyBytes'>): Promise<CheckedReport[]> {
  let stream;
  let cab;
  try {
    stream = reportFolderStream(folder);
    cab = readSavedCab(folder);
  } catch (err) {
    throw unreadable(err);
  }
  const upload: Upload | undefined = cab && (cab.complete
    ? { complete: true, length: cab.length, kind: cab.files ? 'cab' : 'binary', ...(cab.files ? { cabFiles: cab.files.map((f) => f.name) } : {}) }
    : { complete: false, length: cab.length });
  return checkCaptures([{ name: folder, stream }], flags, upload);
}

export async function runCheck(files: string[], flags: CheckFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  let inputs: DecodeInput[];
  let folders: string[];
  try {
    const isDir = (f: string) => f !== '-' && fs.existsSync(f) && fs.statSync(f).isDirectory();
    folders = files.filter(isDir).flatMap(reportFolders);
    const rest = files.filter((f) => !isDir(f));
    inputs = rest.length || !folders.length ? openInputs(rest) : [];
  } catch (err) {
    throw unreadable(err);
  }
  const reports = inputs.length ? await checkCaptures(inputs, flags) : [];
  for (const folder of folders) append(reports, await checkReportFolder(folder, flags));
  if (!reports.some((r) => r.method !== 'PUT')) {
    const names = [...inputs.map((i) => i.name), ...folders].join(', ');
    throw new WerSniffError('no-report', `no level-1 report in ${names} — give captures of POST /stage2.htm (as listen -o, --raw or nc -l saved them) or --save-dir folders`, 2);
  }
  const total = countBySeverity(reports.flatMap((r) => r.findings));
  let text = '';
  if (flags.json) {
    for (const r of reports) text += JSON.stringify({ type: 'check', ...r, counts: countBySeverity(r.findings) }) + '\n';
    text += JSON.stringify({ type: 'summary', reports: reports.filter((r) => r.method !== 'PUT').length, counts: total }) + '\n';
  } else {
    const paint = paintFor(flags.color, out);
    for (const r of reports) text += formatCheckedReport(r, paint).join('\n') + '\n';
    text += formatCheckSummary(reports, paint) + '\n';
  }
  await new Promise<void>((resolve) => out.write(text, () => resolve()));
  return total.error > 0 ? 1 : 0;
}
