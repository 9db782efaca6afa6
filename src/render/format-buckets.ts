// The bucket table for people: a title line, then one row per bucket, most frequent first —
// count, event type, app + version, exception code, faulting module + offset, first seen, last
// seen, machines. Columns are aligned by display width (CJK-aware, width.ts) and each line is
// cut to the terminal's width when there is one. Everything from the wire goes through
// escapeControl. Pure: stats in, lines out.
import type { BucketStats } from '../analysis/fleet/buckets.js';
import type { Paint } from './paint.js';
import { escapeControl } from '../util/escape.js';
import { displayWidth, fitWidth } from './width.js';
import { clock } from './compact.js';
import { maxOf } from '../util/append.js';

/** Rows shown; the rest are summed up in one line (--json has them all). */
export const MAX_ROWS = 20;

export interface BucketTableOptions {
  paint: Paint;
  width?: number;
  maxRows?: number;
  /** Show dates as well as times (runs longer than a day). */
  dates?: boolean;
}

export function formatBucketTable(s: BucketStats, opts: BucketTableOptions): string[] {
  const p = opts.paint;
  const n = s.buckets.length;
  const title = `${p.bold('buckets')}: ${plural(s.reports, 'report')} in ${plural(n, 'bucket')}${s.other ? `, ${s.other} more in buckets not tracked` : ''}`;
  if (n === 0) return [title];
  const max = opts.maxRows ?? MAX_ROWS;
  const esc = (v: string | undefined) => escapeControl(v ?? '');
  const time = (ts: number) => (opts.dates ? new Date(ts).toISOString().slice(0, 10) + ' ' : '') + clock(ts);
  const rows: string[][] = [['count', 'event', 'app', 'code', 'module+offset', 'first', 'last', 'machines']];
  for (const b of s.buckets.slice(0, max)) {
    rows.push([
      String(b.count), esc(b.event), esc([b.app, b.version].filter(Boolean).join(' ')), esc(b.code),
      esc(b.module ? b.module + (b.offset ? '+' + b.offset : '') : ''), time(b.firstSeen), time(b.lastSeen),
      String(b.machines.size + b.moreMachines),
    ]);
  }
  const widths = rows[0]!.map((_, i) => maxOf(rows.map((r) => displayWidth(r[i]!))));
  const right = new Set([0, 7]);
  const lines = rows.map((r, ri) => {
    const cells = r.map((c, i) => {
      const pad = ' '.repeat(widths[i]! - displayWidth(c));
      const text = right.has(i) ? pad + c : c + pad;
      return ri === 0 ? p.dim(text) : text;
    });
    return ('  ' + cells.join(p.dim(' │ '))).replace(/\s+$/, '');
  });
  const rest = s.buckets.slice(max).reduce((sum, b) => sum + b.count, 0);
  if (n > max) lines.push(p.dim(`  … ${plural(n - max, 'more bucket')} with ${plural(rest, 'report')} (--json has them all)`));
  return [title, ...lines].map((l) => fitWidth(l, opts.width));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
