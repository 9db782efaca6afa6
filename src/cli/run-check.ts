// The `check` action: saved captures through the same Recorder as `decode`, every level-1
// report and its conversation checked (src/check), findings printed per report.
// Exit 0 no errors, 1 errors found, 2 unreadable input (or no report in it).
import { Recorder } from '../capture/recorder.js';
import { decodeInputs, openInputs, type DecodeInput } from '../capture/decode-file.js';
import { WER_PORT } from '../pcap/capture.js';
import { escapeControl } from '../output/escape.js';
import { CheckCollector, type CheckedReport } from '../check/collector.js';
import { countBySeverity } from '../check/rules.js';
import { WerSniffError } from '../errors.js';
import { createPaint } from '../output/paint.js';
import { formatCheckedReport, formatCheckSummary } from '../output/format-check.js';
import { useColor, type ColorChoice } from './options.js';

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

export async function checkCaptures(inputs: DecodeInput[], flags: Pick<CheckFlags, 'maxHeaderBytes' | 'maxBodyBytes' | 'port' | 'allPorts'>): Promise<CheckedReport[]> {
  const collector = new CheckCollector(Date.now);
  const recorder = new Recorder({ sinks: [collector], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  try {
    await decodeInputs(inputs, recorder, {
      filter: { port: flags.port ?? WER_PORT, allPorts: flags.allPorts },
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
  let inputs: DecodeInput[];
  try {
    inputs = openInputs(files);
  } catch (err) {
    throw unreadable(err);
  }
  const reports = await checkCaptures(inputs, flags);
  if (!reports.some((r) => r.method !== 'PUT')) {
    throw new WerSniffError('no-report', `no level-1 report in ${inputs.map((i) => i.name).join(', ')} — give captures of POST /stage2.htm (as listen -o, --raw or nc -l saved them)`, 2);
  }
  const total = countBySeverity(reports.flatMap((r) => r.findings));
  let text = '';
  if (flags.json) {
    for (const r of reports) text += JSON.stringify({ type: 'check', ...r, counts: countBySeverity(r.findings) }) + '\n';
    text += JSON.stringify({ type: 'summary', reports: reports.filter((r) => r.method !== 'PUT').length, counts: total }) + '\n';
  } else {
    const paint = createPaint(useColor(flags.color ?? 'auto', process.env, Boolean(out.isTTY)));
    for (const r of reports) text += formatCheckedReport(r, paint).join('\n') + '\n';
    text += formatCheckSummary(reports, paint) + '\n';
  }
  await new Promise<void>((resolve) => out.write(text, () => resolve()));
  return total.error > 0 ? 1 : 0;
}
