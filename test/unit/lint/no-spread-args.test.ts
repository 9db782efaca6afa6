// A lint that fails the build when an array is spread into a call's arguments anywhere in src/:
// `out.push(...list)`, `unshift(...)`, `Math.max(...list)`, `String.fromCharCode(...codes)`,
// `path.join(...parts)`, `f.apply(this, list)`. Each argument takes a stack slot, so a list of ~120,000 (one finding per
// PARAMETER of a hostile report, one piece per TCP segment) throws "Maximum call stack size
// exceeded" — the red team found three such crashes. Use append()/maxOf() from
// src/util/append.ts or a loop. No allow-list: zero occurrences. Spreads in array literals
// (`[...a, ...b]`) are fine: they are not arguments.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tsFilesUnder } from '../../helpers/paths.js';


/** The code without comments and one-line string literals (so a comment may name the pattern
 * it warns against, and '<cidr,...>' in a help text is not a spread). Line numbers are kept. */
function stripCommentsAndStrings(code: string): string {
  return code
    .replace(/\/\*[^]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
    .replace(/\/\/.*$/gm, '');
}

/** A call with a spread among its arguments: `f(...x`, `o.m(a, ...x`, `g()(...x` — not inside
 * an array or object literal argument. */
const SPREAD_CALL = /([\w$]+|[)\]])\s*\(([^()[\]{}]*,\s*)?\.\.\.\s*([\w$]+)?(\s*:)?/g;
const APPLY = /\.apply\s*\(/g;

function spreadCalls(code: string): string[] {
  const found: string[] = [];
  stripCommentsAndStrings(code).split('\n').forEach((line, i) => {
    for (const m of line.matchAll(SPREAD_CALL)) {
      // Declarations, not calls: `function f(...a: T[])`, a method `m(...a: T[]) {`, and
      // `async (...a) =>`. A typed rest parameter is the tell in this TypeScript code base.
      if (m[4] || m[1] === 'function' || m[1] === 'async') continue;
      found.push(`${i + 1}: ${m[0]}`);
    }
    for (const m of line.matchAll(APPLY)) found.push(`${i + 1}: ${m[0]}`);
  });
  return found;
}

describe('no arrays spread into call arguments in src/', () => {
  it('the lint finds what it is meant to find, and not comments or array literals', () => {
    expect(spreadCalls('out.push(...lines);')).toHaveLength(1);
    expect(spreadCalls('a.unshift(x, ...more);')).toHaveLength(1);
    expect(spreadCalls('const m = Math.max(5, ...xs.map((x) => x.n));')).toHaveLength(1);
    expect(spreadCalls('String.fromCharCode(...codes)')).toHaveLength(1);
    expect(spreadCalls('f.apply(null, args)')).toHaveLength(1);
    expect(spreadCalls('// out.push(...lines) overflows\nconst a = [...b, ...c];\n/* push(...x) */')).toEqual([]);
    expect(spreadCalls('out.push({ ...ev, head });')).toEqual([]);
    expect(spreadCalls('path.join(root, ...parts.split("/"))')).toHaveLength(1);
    expect(spreadCalls('make()(...args)')).toHaveLength(1);
    expect(spreadCalls('Buffer.concat([head, ...records, ...data]);\nfunction concat(...parts: Buffer[]) {}')).toEqual([]);
    expect(spreadCalls("o.option('--allow <cidr,...>', 'x')\nclass A { m(...xs: number[]) {} }\nconst f = async (...a) => a;")).toEqual([]);
  });

  it('zero occurrences', () => {
    const found: string[] = [];
    for (const file of tsFilesUnder(path.join(ROOT, 'src'))) {
      for (const hit of spreadCalls(fs.readFileSync(file, 'utf8'))) found.push(`${path.relative(ROOT, file)}:${hit}`);
    }
    expect(found).toEqual([]);
  });
});
