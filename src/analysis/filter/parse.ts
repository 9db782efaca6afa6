// Parses a `--filter` expression into a tree: comparisons `field OP value` and bare fields
// (present or not), combined with `and`/`or`/`not` (or `&&`/`||`/`!`) and parentheses; `not`
// binds tightest, then `and`, then `or`. Values are bare words (up to white space or a
// parenthesis) or quoted with "…" / '…' (backslash escapes the next character). Field names,
// keywords and text comparisons are case-insensitive. Every error names the 1-based column.
// Pure: text in, tree out. It does not know what a field means beyond its type (fields.ts).
import { FIELDS, fieldNames, type FieldSpec } from './field-specs.js';

export type Op = '=' | '!=' | '~' | '~~' | '<' | '<=' | '>' | '>=';

export interface FieldRef {
  /** Canonical name, e.g. `header`, `status`, `p`. */
  name: string;
  spec: FieldSpec;
  /** What follows the dot for families (`header.user-agent` → `user-agent`), lower-case;
   * the index for `p1`…`p10`. */
  arg?: string;
  /** As written. */
  text: string;
  column: number;
}

export interface Value {
  text: string;
  /** Lower-case text, for case-insensitive comparison. */
  lower: string;
  number?: number;
  regex?: RegExp;
}

export type Filter =
  | { type: 'and' | 'or'; left: Filter; right: Filter }
  | { type: 'not'; expr: Filter }
  | { type: 'has'; field: FieldRef }
  | { type: 'compare'; field: FieldRef; op: Op; value: Value };

export class FilterSyntaxError extends Error {
  constructor(readonly column: number, message: string) {
    super(`column ${column}: ${message}`);
    this.name = 'FilterSyntaxError';
  }
}

const OPS: readonly Op[] = ['~~', '!=', '<=', '>=', '=', '~', '<', '>'];
const FIELD_CHAR = /[A-Za-z0-9_.\-]/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

export function parseFilter(text: string): Filter {
  return new Parser(text).parse();
}

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): Filter {
    this.skipSpace();
    if (this.pos >= this.src.length) throw this.error('the filter is empty — e.g. method=PUT or event=APPCRASH');
    const expr = this.or();
    this.skipSpace();
    if (this.pos < this.src.length) {
      const rest = this.src.slice(this.pos);
      if (rest.startsWith(')')) throw this.error("')' without a matching '('");
      throw this.error(`expected 'and', 'or' or the end, found ${quote(rest)}`);
    }
    return expr;
  }

  private or(): Filter {
    let left = this.and();
    while (this.keyword('or', '||')) left = { type: 'or', left, right: this.and() };
    return left;
  }

  private and(): Filter {
    let left = this.unary();
    while (this.keyword('and', '&&')) left = { type: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Filter {
    this.skipSpace();
    if (this.keyword('not', '!')) return { type: 'not', expr: this.unary() };
    return this.primary();
  }

  private primary(): Filter {
    this.skipSpace();
    const open = this.pos;
    if (this.src[this.pos] === '(') {
      this.pos++;
      this.skipSpace();
      if (this.src[this.pos] === ')') throw this.error("empty parentheses");
      const inner = this.or();
      this.skipSpace();
      if (this.src[this.pos] !== ')') throw new FilterSyntaxError(open + 1, "'(' is never closed");
      this.pos++;
      return inner;
    }
    const field = this.field();
    this.skipSpace();
    const op = OPS.find((o) => this.src.startsWith(o, this.pos));
    if (!op) return { type: 'has', field };
    const opColumn = this.pos + 1;
    this.pos += op.length;
    const value = this.value(op, field);
    checkOperands(field, op, value, opColumn);
    return { type: 'compare', field, op, value };
  }

  private field(): FieldRef {
    const start = this.pos;
    while (this.pos < this.src.length && FIELD_CHAR.test(this.src[this.pos]!)) this.pos++;
    const text = this.src.slice(start, this.pos);
    if (!text) {
      if (this.pos >= this.src.length) throw this.error('expected a field name, found the end of the filter');
      throw this.error(`expected a field name, found ${quote(this.src.slice(this.pos))}`);
    }
    const ref = resolveField(text, start + 1);
    if (!ref) throw new FilterSyntaxError(start + 1, unknownField(text));
    return ref;
  }

  private value(op: Op, field: FieldRef): Value {
    this.skipSpace();
    const start = this.pos;
    const c = this.src[this.pos];
    let text: string;
    if (c === '"' || c === "'") {
      text = '';
      this.pos++;
      for (;;) {
        if (this.pos >= this.src.length) throw new FilterSyntaxError(start + 1, `the quoted value is never closed (add ${c})`);
        const ch = this.src[this.pos++]!;
        if (ch === c) break;
        if (ch === '\\' && this.pos < this.src.length) text += this.src[this.pos++]!;
        else text += ch;
      }
    } else {
      while (this.pos < this.src.length && !/[\s()]/.test(this.src[this.pos]!)) this.pos++;
      text = this.src.slice(start, this.pos);
      if (!text) throw this.error(`expected a value after '${op}' (${field.text}${op}…; quote it if it has spaces or parentheses)`);
    }
    const value: Value = { text, lower: text.toLowerCase() };
    if (NUMBER.test(text.trim())) value.number = Number(text.trim());
    if (op === '~~') {
      try {
        value.regex = new RegExp(text, 'i');
      } catch (err) {
        const why = (err as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/i: /, '');
        throw new FilterSyntaxError(start + 1, `bad regular expression ${quote(text)}: ${why}`);
      }
    }
    return value;
  }

  /** Consumes a keyword (whole word, any case) or its symbol. */
  private keyword(word: string, symbol: string): boolean {
    this.skipSpace();
    if (this.src.startsWith(symbol, this.pos) && !(symbol === '!' && this.src[this.pos + 1] === '=')) {
      this.pos += symbol.length;
      return true;
    }
    const next = this.src.slice(this.pos, this.pos + word.length + 1);
    if (next.slice(0, word.length).toLowerCase() === word && !FIELD_CHAR.test(next[word.length] ?? ' ')) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private error(message: string): FilterSyntaxError {
    return new FilterSyntaxError(this.pos + 1, message);
  }
}

function checkOperands(field: FieldRef, op: Op, value: Value, column: number): void {
  const ordering = op === '<' || op === '<=' || op === '>' || op === '>=';
  if (field.spec.type === 'number' && (op === '=' || op === '!=' || ordering) && value.number === undefined) {
    throw new FilterSyntaxError(column, `${field.text} is a number, but ${quote(value.text)} is not (e.g. ${field.text}${op}400)`);
  }
  if (ordering && field.spec.type !== 'number') {
    throw new FilterSyntaxError(column, `'${op}' compares numbers and ${field.text} is text — use = != ~ or ~~`);
  }
}

/** `header.user-agent` → header family with arg; `p3` → parameter 3; plain names. */
export function resolveField(text: string, column: number): FieldRef | undefined {
  const lower = text.toLowerCase();
  const direct = FIELDS[lower];
  if (direct && !direct.family && lower !== 'p') return { name: lower, spec: direct, text, column };
  const p = /^p(\d+)$/.exec(lower);
  if (p && Number(p[1]) >= 1 && Number(p[1]) <= 10) return { name: 'p', spec: FIELDS.p!, arg: p[1], text, column };
  const dot = lower.lastIndexOf('.');
  if (dot > 0) {
    const family = FIELDS[lower.slice(0, dot)];
    const arg = lower.slice(dot + 1);
    if (family?.family && arg) return { name: lower.slice(0, dot), spec: family, arg, text, column };
  }
  // `header.x.y`: header names may contain dots; take the longest known family prefix.
  for (const name of Object.keys(FIELDS)) {
    const spec = FIELDS[name]!;
    if (spec.family && lower.startsWith(name + '.') && lower.length > name.length + 1) {
      return { name, spec, arg: lower.slice(name.length + 1), text, column };
    }
  }
  return undefined;
}

function unknownField(text: string): string {
  const names = fieldNames();
  const near = names
    .map((n) => [n, distance(text.toLowerCase(), n.replace(/<[^>]+>/g, ''))] as const)
    .sort((a, b) => a[1] - b[1])[0];
  const hint = near && near[1] <= 2 ? ` (did you mean ${near[0]}?)` : '';
  return `unknown field ${quote(text)}${hint} — fields: ${names.join(', ')}`;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function quote(s: string): string {
  const cut = s.length > 20 ? s.slice(0, 20) + '…' : s;
  return JSON.stringify(cut);
}
