// The `check` action: saved inputs (raw, pcap/pcapng, HAR, --save-dir folders, opened as
// `decode` opens them) through the same Recorder, every level-1 report and its conversation
// checked (src/analysis/check), findings printed per report. A report folder is its whole
// conversation: the report, the answer, and the PUT with its report.cab. Exit 0 no errors,
// 1 errors found, 2 unreadable input (or no report in it).
import { Recorder } from '../pipeline/recorder.js';
import { feedInputs, openInputs, type Input } from '../sources/files/open-inputs.js';
import { recorderTarget } from '../sources/files/chunk-target.js';
import { escapeControl } from '../util/escape.js';
import { CheckCollector, type CheckedReport } from '../analysis/check/collector.js';
import { countBySeverity } from '../analysis/check/rules.js';
import { WerSniffError } from '../errors.js';
import { formatCheckedReport, formatCheckSummary } from '../render/format-check.js';
import { tcpFilterOf, paintFor, type ColorChoice } from './options.js';

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

/** Checks the reports in `inputs` (one conversation across them: a PUT is paired with the
 * report whose answer issued its path, in any input). */
export async function checkInputs(inputs: Input[], flags: Pick<CheckFlags, 'maxHeaderBytes' | 'maxBodyBytes' | 'port' | 'allPorts'>): Promise<CheckedReport[]> {
  const collector = new CheckCollector(Date.now);
  const recorder = new Recorder({ sinks: [collector], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  try {
    await feedInputs(inputs, recorderTarget(recorder), {
      filter: tcpFilterOf(flags),
      onNotice: (m) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
    });
  } catch (err) {
    throw unreadable(err);
  } finally {
    await recorder.close();
  }
  return collector.finish();
}

export async function runCheck(files: string[], flags: CheckFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  let inputs: Input[];
  try {
    inputs = openInputs(files, 2);
  } catch (err) {
    throw unreadable(err);
  }
  const reports = await checkInputs(inputs, flags);
  if (!reports.some((r) => r.method !== 'PUT')) {
    const names = inputs.map((i) => i.name).join(', ');
    throw new WerSniffError('no-report', `no level-1 report in ${names} — give captures of POST /stage2.htm (as listen -o, --raw or nc -l saved them), HAR files or --save-dir folders`, 2);
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
