// Compares the fields of two conversations (fields.ts): each field is equal, changed, only on
// one side, or — for the header-order fields — the same headers in another order. Fields the
// `--ignore` patterns cover are left out. Rows keep the order of side a; a field only b has
// comes right after the field b has before it. Pure.
import { isIgnored } from './ignore.js';
import { ORDER_SUFFIX, type Field, type FieldGroup } from './fields.js';

export type DiffStatus = 'same' | 'changed' | 'only-a' | 'only-b' | 'order';

export interface DiffRow {
  group: FieldGroup;
  field: string;
  status: DiffStatus;
  a?: string;
  b?: string;
}

const GROUPS: FieldGroup[] = ['request', 'report', 'answer', 'upload'];

/** Whether the headers both sides have come in the same relative order. */
function sameOrder(a: string, b: string): boolean {
  const names = (s: string): string[] => s.split(', ').map((n) => n.toLowerCase()).filter((n) => n !== '');
  const la = names(a);
  const lb = names(b);
  const common = la.filter((n) => lb.includes(n));
  const commonB = lb.filter((n) => la.includes(n));
  return common.join('\n') === commonB.join('\n');
}

export function diffFields(a: Field[], b: Field[], ignore: readonly string[]): DiffRow[] {
  const bByKey = new Map(b.map((f) => [f.key, f]));
  const aKeys = new Set(a.map((f) => f.key));
  const rows: DiffRow[] = [];
  for (const fa of a) {
    const fb = bByKey.get(fa.key);
    if (!fb) {
      rows.push({ group: fa.group, field: fa.name, status: 'only-a', a: fa.value });
      continue;
    }
    let status: DiffStatus = fa.value === fb.value ? 'same' : 'changed';
    if (fa.key.endsWith(ORDER_SUFFIX)) status = fa.value === fb.value || sameOrder(fa.value, fb.value) ? 'same' : 'order';
    rows.push({ group: fa.group, field: fa.name, status, a: fa.value, b: fb.value });
  }
  // A field only b has goes right after the field b has before it (or first in its group).
  const keyOf = new Map<DiffRow, string>();
  rows.forEach((r, i) => keyOf.set(r, a[i]!.key));
  b.forEach((fb, j) => {
    if (aKeys.has(fb.key)) return;
    const row: DiffRow = { group: fb.group, field: fb.name, status: 'only-b', b: fb.value };
    let at = -1;
    for (let k = j - 1; k >= 0 && at < 0; k--) {
      if (b[k]!.group !== fb.group) break;
      at = rows.findIndex((r) => keyOf.get(r) === b[k]!.key);
    }
    if (at < 0) at = rows.findLastIndex((r) => GROUPS.indexOf(r.group) < GROUPS.indexOf(fb.group));
    rows.splice(at + 1, 0, row);
    keyOf.set(row, fb.key);
  });
  return rows.filter((r) => !isIgnored(r.field, ignore));
}

export function isEqual(rows: readonly DiffRow[]): boolean {
  return rows.every((r) => r.status === 'same');
}
