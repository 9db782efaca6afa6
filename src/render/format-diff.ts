// `wer-sniff diff` for people: per pair of conversations a heading, then per group (request,
// report, answer, upload) the fields side by side in three aligned columns — field │ a │ b —
// long values wrapped within their column. Differences are coloured (changed yellow, only in a
// red, only in b green, header order yellow); equal fields fold into one dim line unless
// `all`. Values come from the wire: escaped (escapeControl) before they are measured.
import type { DiffRow, DiffStatus } from '../analysis/diff/compare.js';
import type { FieldGroup } from '../analysis/diff/fields.js';
import { escapeControl } from '../util/escape.js';
import type { Brush, Paint } from './paint.js';
import { maxOf } from '../util/append.js';

export interface DiffLayout {
  /** Terminal width to fit (default 120). */
  width: number;
  all: boolean;
}

const GROUP_TITLES: Record<FieldGroup, string> = {
  request: 'Request', report: 'Report', answer: "Server's answer", upload: 'Upload (level 2)',
};
const MARKS: Record<DiffStatus, string> = { same: ' ', changed: '≠', 'only-a': '<', 'only-b': '>', order: '~' };
const ABSENT = '—';

function chunks(s: string, width: number): string[] {
  if (s.length <= width) return [s];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += width) out.push(s.slice(i, i + width));
  return out;
}

function brushes(status: DiffStatus, paint: Paint): [Brush, Brush] {
  switch (status) {
    case 'changed': return [paint.warn, paint.warn];
    case 'order': return [paint.warn, paint.warn];
    case 'only-a': return [paint.err, paint.dim];
    case 'only-b': return [paint.dim, paint.ok];
    default: return [(s) => s, (s) => s];
  }
}

export function formatDiffRows(rows: DiffRow[], labels: [string, string], paint: Paint, layout: DiffLayout): string[] {
  const shown = rows.filter((r) => layout.all || r.status !== 'same');
  const fieldWidth = Math.min(48, maxOf(shown.map((r) => escapeControl(r.field).length), 5));
  const valueWidth = Math.max(12, Math.floor((layout.width - fieldWidth - 2 - 2 * 3) / 2));
  const sep = paint.dim(' │ ');
  const line = (mark: string, field: string, a: string, b: string, fb: Brush, ab: Brush, bb: Brush): string =>
    `${mark} ${[fb(field.padEnd(fieldWidth)), ab(a.padEnd(valueWidth)), bb(b)].join(sep)}`;
  const out: string[] = [
    `${paint.bold('a')} = ${escapeControl(labels[0], paint)}`,
    `${paint.bold('b')} = ${escapeControl(labels[1], paint)}`,
    line(' ', 'field', 'a', 'b', paint.dim, paint.bold, paint.bold),
  ];
  for (const group of ['request', 'report', 'answer', 'upload'] as FieldGroup[]) {
    const inGroup = rows.filter((r) => r.group === group);
    if (inGroup.length === 0) continue;
    out.push(paint.bold(GROUP_TITLES[group]));
    let folded = 0;
    for (const r of inGroup) {
      if (r.status === 'same' && !layout.all) {
        folded++;
        continue;
      }
      const [ab, bb] = brushes(r.status, paint);
      const a = chunks(r.a === undefined ? ABSENT : escapeControl(r.a), valueWidth);
      const b = chunks(r.b === undefined ? ABSENT : escapeControl(r.b), valueWidth);
      const f = chunks(escapeControl(r.field), fieldWidth);
      const mark = r.status === 'same' ? ' ' : brushes(r.status, paint)[r.status === 'only-b' ? 1 : 0](MARKS[r.status]);
      const fb = r.status === 'same' ? paint.dim : paint.key;
      for (let i = 0; i < Math.max(a.length, b.length, f.length); i++) {
        out.push(line(i === 0 ? mark : ' ', f[i] ?? '', a[i] ?? '', b[i] ?? '', fb, ab, bb).trimEnd());
      }
    }
    if (folded) out.push(paint.dim(`  … ${folded} equal field${folded === 1 ? '' : 's'} (--all shows them)`));
  }
  return out;
}

/** The closing line: how many fields differ, or that the two are equal. */
export function formatDiffVerdict(rows: DiffRow[], ignored: readonly string[], paint: Paint): string {
  const differing = rows.filter((r) => r.status !== 'same').length;
  const note = ignored.length ? paint.dim(` (ignoring ${ignored.join(', ')})`) : '';
  return differing === 0 ? `${paint.ok('equal')}${note}` : `${paint.warn(`${differing} field${differing === 1 ? '' : 's'} differ`)}${note}`;
}
