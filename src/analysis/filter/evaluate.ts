// Evaluates a parsed filter against what one event knows, in three values: true, false, or
// undefined = "not known yet" (a response field while the response may still come). `and`/`or`
// decide as soon as one side decides (false and unknown = false); `not unknown` stays unknown.
// Rules (also in docs/filters.md): a comparison with an absent field is false, whatever the operator;
// a bare field is true when present. With several values (repeated headers, `app`), `=`, `~`,
// `~~`, `<`… hold when any value does, `!=` when none is equal. Text compares
// case-insensitively; `~` is a substring test, `~~` a regular expression. Pure.
import type { Filter, FieldRef, Op, Value } from './parse.js';
import { FIELD_GETTERS, type FieldValue, type FilterSubject } from './fields.js';

export type Verdict = boolean | undefined;

export function evaluateFilter(filter: Filter, subject: FilterSubject): Verdict {
  switch (filter.type) {
    case 'and': {
      const l = evaluateFilter(filter.left, subject);
      if (l === false) return false;
      const r = evaluateFilter(filter.right, subject);
      if (r === false) return false;
      return l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = evaluateFilter(filter.left, subject);
      if (l === true) return true;
      const r = evaluateFilter(filter.right, subject);
      if (r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    case 'not': {
      const v = evaluateFilter(filter.expr, subject);
      return v === undefined ? undefined : !v;
    }
    case 'has': {
      const values = read(filter.field, subject);
      return values === undefined ? undefined : values.length > 0;
    }
    case 'compare': {
      const values = read(filter.field, subject);
      if (values === undefined) return undefined;
      if (values.length === 0) return false;
      if (filter.op === '!=') return !values.some((v) => matches(v, '=', filter.value));
      return values.some((v) => matches(v, filter.op, filter.value));
    }
  }
}

/** The field's values, or undefined while a response field cannot be known yet. */
function read(field: FieldRef, s: FilterSubject): FieldValue[] | undefined {
  if (field.spec.side === 'response' && !s.final && s.exchange && !s.exchange.response) return undefined;
  return FIELD_GETTERS[field.name]!(s, field.arg);
}

function matches(v: FieldValue, op: Op, value: Value): boolean {
  if (typeof v === 'number' && value.number !== undefined) {
    switch (op) {
      case '=': return v === value.number;
      case '<': return v < value.number;
      case '<=': return v <= value.number;
      case '>': return v > value.number;
      case '>=': return v >= value.number;
      default: break;
    }
  }
  const text = String(v);
  switch (op) {
    case '=': return text.toLowerCase() === value.lower;
    case '~': return text.toLowerCase().includes(value.lower);
    case '~~': return value.regex!.test(text);
    default: return false;
  }
}
