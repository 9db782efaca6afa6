// `wer-sniff ls`: one line per saved report, in aligned columns — time (UTC, as the folder name
// has it), machine, event type, application and version, exception (code @ module+offset, as
// the one-line live view writes it), CAB (yes, no, incomplete) and its size, the check verdict on
// the report and its answer (`ok`, or its errors and warnings), folder name — and
// the NDJSON object of `--json`. Every string from a report goes through escapeControl; lines
// are cut to the terminal's width (never when it is not a terminal). Pure.
import type { Paint } from './paint.js';
import { escapeControl } from '../util/escape.js';
import { formatSize } from '../util/size.js';
import { displayWidth, fitWidth } from './width.js';

/** What a row needs (sources/files/saved-reports.ts SavedReport). */
export interface SavedRow {
  folder: string;
  name: string;
  time: number;
  facts: { machine?: string; event?: string; app?: string; version?: string; code?: string; module?: string; offset?: string };
  status?: number;
  cab: 'yes' | 'no' | 'incomplete';
  cabBytes?: number;
  /** Findings on the report and its answer, by severity. */
  check: { errors: number; warnings: number; notes: number };
}

const HEADER = ['time (UTC)', 'machine', 'event', 'app', 'exception', 'CAB', 'size', 'check', 'folder'];

/** `ok`, or the findings that are not notes: `2 errors, 1 warning`. */
function verdict(c: SavedRow['check']): string {
  const parts: string[] = [];
  if (c.errors) parts.push(`${c.errors} error${c.errors === 1 ? '' : 's'}`);
  if (c.warnings) parts.push(`${c.warnings} warning${c.warnings === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'ok';
}

function utc(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

function cells(r: SavedRow): string[] {
  const f = r.facts;
  const exception = f.code ? f.code + (f.module ? ` @ ${f.module}${f.offset ? '+' + f.offset : ''}` : '') : '';
  return [
    utc(r.time), f.machine ?? '?', f.event ?? '?', [f.app, f.version].filter(Boolean).join(' '), exception,
    r.cab, r.cabBytes === undefined ? '-' : formatSize(r.cabBytes), verdict(r.check), r.name,
  ].map((c) => escapeControl(c));
}

/** The table: a header line, then one line per row, columns padded to their widest cell. */
export function formatSavedReports(rows: SavedRow[], paint: Paint, width?: number): string[] {
  const table = rows.map(cells);
  const widths = HEADER.map((h, i) => table.reduce((w, row) => Math.max(w, displayWidth(row[i]!)), displayWidth(h)));
  const pad = (s: string, i: number) => (i === HEADER.length - 1 ? s : s + ' '.repeat(widths[i]! - displayWidth(s)));
  const brush = [paint.dim, paint.bold, paint.tag, (s: string) => s, paint.err, (s: string) => s, paint.dim, (s: string) => s, paint.dim];
  const line = (row: string[], head: boolean) => row.map((c, i) => {
    const padded = pad(c, i);
    if (head) return paint.dim(padded);
    if (i === 5 && c === 'incomplete') return paint.warn(padded);
    if (i === 7 && c !== 'ok') return (c.includes('error') ? paint.err : paint.warn)(padded);
    return brush[i]!(padded);
  }).join('  ').trimEnd();
  return [line(HEADER, true), ...table.map((row) => line(row, false))].map((l) => fitWidth(l, width));
}

/** One NDJSON object per row for `ls --json`. */
export function savedReportJson(r: SavedRow): Record<string, unknown> {
  const f = r.facts;
  const out: Record<string, unknown> = {
    type: 'saved-report', folder: r.folder, time: new Date(r.time).toISOString(),
    machine: f.machine ?? null, event: f.event ?? null, app: f.app ?? null, version: f.version ?? null,
    exception: f.code ? { code: f.code, module: f.module ?? null, offset: f.offset ?? null } : null,
    status: r.status ?? null, cab: r.cab, cabBytes: r.cabBytes ?? null, check: r.check,
  };
  return out;
}
