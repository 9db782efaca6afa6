// The `wer-sniff check` report for people: per level-1 report a title (input, position, event
// type, application, machine) and its findings, then one summary line. Values from the wire
// go through escapeControl.
import type { CheckedReport } from '../analysis/check/collector.js';
import { countBySeverity } from '../analysis/check/rules.js';
import { escapeControl } from '../util/escape.js';
import { formatFindings } from './format-findings.js';
import type { Paint } from './paint.js';

export function formatCheckedReport(r: CheckedReport, paint: Paint): string[] {
  const esc = (s: string): string => escapeControl(s, paint);
  const what = r.method === 'PUT'
    ? `upload ${esc(r.target.slice(0, 120))}`
    : [r.eventType, r.app, r.machine].filter((s): s is string => Boolean(s)).map(esc).join(paint.dim(' · ')) || `${esc(r.method)} ${esc(r.target.slice(0, 120))}`;
  const title = `${paint.accent(r.n ? `${esc(r.input)}#${r.n}` : esc(r.input))} ${paint.dim(`(connection ${r.conn}, request ${r.seq})`)} ${what}`;
  return [title, ...formatFindings(r.findings, paint, 'check', '  '), ''];
}

export function formatCheckSummary(reports: CheckedReport[], paint: Paint): string {
  const n = countBySeverity(reports.flatMap((r) => r.findings));
  const count = reports.filter((r) => r.method !== 'PUT').length;
  const plural = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
  const verdict = `${plural(n.error, 'error')}, ${plural(n.warning, 'warning')}, ${plural(n.note, 'note')}`;
  return `${plural(count, 'report')} checked: ${n.error ? paint.err(verdict) : verdict}`;
}
