// Terminal lines for check findings: a one-line verdict (errors, warnings, notes), then per
// finding its severity, rule id and MS-CER2 section, what is wrong and, indented below, what
// to change. Messages quote values from the wire, so every line goes through escapeControl.
import type { Finding, Severity } from '../model.js';
import { countBySeverity } from '../analysis/check/rules.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import { escapeControl } from '../util/escape.js';
import type { Brush, Paint } from './paint.js';
import { append } from '../util/append.js';

const STAGE_LABELS: Record<ReportFindings['stage'], string> = {
  report: 'check', answer: 'check of the answer', upload: 'check of the upload', end: 'check at the end',
};

function brush(sev: Severity, paint: Paint): Brush {
  return sev === 'error' ? paint.err : sev === 'warning' ? paint.warn : paint.dim;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning` or `no findings`. */
export function formatVerdict(findings: readonly Finding[], paint: Paint): string {
  const n = countBySeverity(findings);
  const parts: string[] = [];
  if (n.error) parts.push(paint.err(plural(n.error, 'error')));
  if (n.warning) parts.push(paint.warn(plural(n.warning, 'warning')));
  if (n.note) parts.push(paint.dim(plural(n.note, 'note')));
  return parts.length ? parts.join(', ') : paint.ok('no findings');
}

/** One finding: `✗ error   signature-empty §2.2.1.3.6  message`, then `→ fix`. */
export function formatFinding(f: Finding, paint: Paint, indent = ''): string[] {
  const mark = f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : '·';
  const b = brush(f.severity, paint);
  const head = `${indent}${b(`${mark} ${f.severity.padEnd(7)}`)} ${paint.bold(f.rule)} ${paint.dim(f.section)}  ${escapeControl(f.message, paint)}`;
  return [head, `${indent}            ${paint.accent('→')} ${escapeControl(f.fix, paint)}`];
}

/** The findings of one report: a verdict line, then each finding. */
export function formatFindings(findings: readonly Finding[], paint: Paint, label = 'check', indent = ''): string[] {
  const out = [`${indent}${paint.bold(label)} ${formatVerdict(findings, paint)}`];
  for (const f of findings) append(out, formatFinding(f, paint, indent + '  '));
  return out;
}

/** A block for findings that arrive after the report was shown (answer, upload, end). */
export function formatLateFindings(r: ReportFindings, paint: Paint): string[] {
  const who = r.reportId ? `report ${r.reportId}` : `request ${r.seq}`;
  const title = `${paint.accent(`#${r.connection.id}`)} ${paint.bold(STAGE_LABELS[r.stage])} of ${who}: ${formatVerdict(r.findings, paint)}`;
  return [title, ...r.findings.flatMap((f) => formatFinding(f, paint, '    '))];
}
