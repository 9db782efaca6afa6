// The crash summary of a WerReport for the terminal: machine, user, OS, locale, application,
// event and event time, then the signature as an aligned table (id │ name │ value │ meaning),
// secondary parameters, files, unknown extras and warnings. Everything that came from the wire
// goes through escapeControl, and column widths are measured on the escaped plain text.
// It deliberately does not print the XML (format-body.ts adds that) and does no decoding of its
// own beyond naming things already decoded in report.ts.
import { formatSku } from '../domain/report/fields.js';
import { parameterLabel } from '../domain/report/names.js';
import type { WerReport } from '../domain/report/report.js';
import { escapeControl } from '../util/escape.js';
import { plainPaint, type Brush, type Paint } from './paint.js';
import { append } from '../util/append.js';

const INDENT = '  ';
const LABEL_WIDTH = 12;

/** A table cell: width is taken from `plain`, output from `painted`. */
interface Cell {
  plain: string;
  painted: string;
}

function cell(s: string, paint: Paint, brush: Brush = (x) => x): Cell {
  const plain = escapeControl(s);
  // without colour, escaping with the paint gives the plain text again
  return { plain, painted: brush(paint === plainPaint ? plain : escapeControl(s, paint)) };
}

function padCell(c: Cell, width: number): string {
  return c.painted + ' '.repeat(Math.max(0, width - c.plain.length));
}

/** Rows of cells joined with ` │ `, every column as wide as its widest cell. */
export function formatTable(rows: Cell[][], paint: Paint, indent = INDENT): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.plain.length)));
  const sep = paint.dim(' │ ');
  return rows.map((row) => {
    // the last non-empty cell is not padded, so lines carry no trailing blanks
    let last = row.length - 1;
    while (last > 0 && row[last]!.plain === '') last--;
    const cells = row.slice(0, last + 1).map((c, i) => (i === last ? c.painted : padCell(c, widths[i]!)));
    return indent + cells.join(sep);
  });
}

function line(label: string, value: string, paint: Paint): string {
  return `${INDENT}${paint.key(label.padEnd(LABEL_WIDTH))} ${value}`;
}

function osLine(report: WerReport, paint: Paint): string | undefined {
  const os = report.machine?.os;
  if (!os) return undefined;
  const esc = (s: string): string => escapeControl(s, paint);
  if (os.versionName === undefined) return `${esc(os.raw)} ${paint.warn('(not decoded)')}`;
  const parts = [paint.bold(os.versionName)];
  if (os.build !== undefined) parts.push(`build ${os.build}`);
  if (os.suiteMask !== undefined) {
    const names = os.suites?.length ? ' ' + os.suites.join('+') : '';
    parts.push(`suite 0x${os.suiteMask.toString(16)}${names}`);
  }
  if (os.sku) parts.push(formatSku(os.sku));
  return `${parts.join(' · ')} ${paint.dim(`(${esc(os.raw)})`)}`;
}

function summaryLines(report: WerReport, paint: Paint): string[] {
  const esc = (s: string): string => escapeControl(s, paint);
  const out: string[] = [];
  const m = report.machine;
  if (m) out.push(line('Machine', paint.bold(esc(m.name)), paint));
  if (report.user !== undefined) out.push(line('User', esc(report.user), paint));
  const os = osLine(report, paint);
  if (os) out.push(line('OS', os, paint));
  if (m?.lcid) {
    const l = m.lcid;
    const text = l.hex === undefined ? `${esc(l.raw)} ${paint.warn('(not a number)')}` : [esc(l.raw), l.hex, l.tag ?? l.special ?? paint.warn('unknown locale')].join(' ');
    out.push(line('Locale', text, paint));
  }
  if (m?.oem !== undefined) out.push(line('OEM', esc(m.oem), paint));
  const app = report.application;
  if (app) out.push(line('Application', [app.name, app.path, app.company].filter((s) => s !== undefined && s !== '').map((s) => esc(s!)).join(paint.dim(' · ')), paint));
  const ev = report.event;
  if (ev) {
    const rt = ev.reportType;
    const parts = [paint.bold(esc(ev.eventType))];
    if (rt) parts.push(`report type ${rt.code}${rt.name ? ' ' + rt.name : ''}`);
    if (ev.friendlyName) parts.push(`"${esc(ev.friendlyName)}"`);
    out.push(line('Event', parts.join(paint.dim(' · ')), paint));
    if (ev.description) out.push(line('Description', esc(ev.description), paint));
    if (ev.time) out.push(line('Event time', ev.time.iso ?? `${esc(ev.time.raw)} ${paint.warn('(not a FILETIME)')}`, paint));
  }
  return out;
}

/** Title line plus the summary, tables and warnings. */
export function formatWerReport(report: WerReport, paint: Paint): string[] {
  const ev = report.event;
  const title = ['WER report', ev?.eventType, ev?.friendlyName].filter((s) => s).map((s) => escapeControl(s!, paint));
  const out = [paint.accent(title.join(' · ')), ...summaryLines(report, paint)];
  const heading = (s: string): string => `${INDENT}${paint.bold(s)}`;
  const dim = (s: string): Cell => cell(s, paint, paint.dim);

  if (report.parameters.length) {
    out.push(heading('Signature'));
    const rows: Cell[][] = [[dim('id'), dim('name'), dim('value'), dim('meaning')]];
    for (const p of report.parameters) {
      const known = parameterLabel(ev?.eventType, p.id);
      const name = p.name !== undefined ? cell(p.name, paint, paint.key) : cell(known ? `(${known})` : '', paint, paint.dim);
      rows.push([cell(String(p.id), paint), name, cell(p.value, paint, paint.value), cell(p.meaning ?? '', paint)]);
    }
    append(out, formatTable(rows, paint, INDENT + INDENT));
  }
  if (report.secondary.length) {
    out.push(heading('Secondary parameters'));
    const rows: Cell[][] = [[dim('name'), dim('value'), dim('meaning')]];
    for (const p of report.secondary) {
      rows.push([cell(p.name, paint, paint.key), cell(p.value, paint, paint.value), cell(p.meaning ?? '', paint)]);
    }
    append(out, formatTable(rows, paint, INDENT + INDENT));
  }
  if (report.files.length) {
    out.push(heading('Files'));
    const rows = report.files.map((f) => [
      cell(f.name, paint, paint.value),
      cell(`type ${f.type.code}${f.type.name ? ' ' + f.type.name : ''}`, paint),
    ]);
    append(out, formatTable(rows, paint, INDENT + INDENT));
  }
  if (report.extra.length) {
    out.push(heading('Not in the schema'));
    for (const x of report.extra) {
      const attrs = x.attrs.map(([k, v]) => ` ${paint.key(escapeControl(k, paint))}=${paint.value(`"${escapeControl(v, paint)}"`)}`).join('');
      const text = x.text ? ` ${paint.dim('text')} ${escapeControl(x.text, paint)}` : '';
      out.push(`${INDENT}${INDENT}${paint.tag(escapeControl(x.element, paint))}${attrs}${text}`);
    }
  }
  if (report.warnings.length) {
    out.push(heading('Warnings'));
    for (const w of report.warnings) out.push(`${INDENT}${INDENT}${paint.warn('!')} ${escapeControl(w, paint)}`);
  }
  return out;
}
