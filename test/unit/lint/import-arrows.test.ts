// The parts of docs/architecture.md and their allowed arrows, checked on every import in src/:
// the table in that document is the rule (so the document and the check cannot drift apart),
// and the pure parts may not import Node's I/O, thread or process modules. Static imports,
// re-exports, dynamic import() and worker URLs (`new URL('./x.js', import.meta.url)`) count.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tsFilesUnder } from '../../helpers/paths.js';

interface Part { name: string; roots: string[]; allowed: Set<string> | 'all-but-cli' | 'all' }

/** The parts table of docs/architecture.md: `| part | folders | may import |`. */
export function readParts(markdown: string): Part[] {
  const rows = markdown.split(/\r?\n/).filter((l) => /^\|\s*[a-z]+\s*\|\s*`src\//.test(l));
  return rows.map((row) => {
    const [name, folders, may] = row.split('|').slice(1, 4).map((c) => c.trim());
    const roots = [...folders!.matchAll(/`(src\/[^`]+)`/g)].map((m) => m[1]!);
    const allowed = may === 'every part' ? 'all' : may === 'every part but cli' ? 'all-but-cli'
      : new Set(may === '—' ? [] : may!.split(',').map((s) => s.trim()));
    return { name: name!, roots, allowed };
  });
}

/** The part a repo-relative file belongs to: the longest matching root wins. */
export function partOf(parts: Part[], file: string): string | undefined {
  let best: { name: string; len: number } | undefined;
  for (const p of parts) {
    for (const r of p.roots) {
      const hit = r.endsWith('/') ? file.startsWith(r) : file === r;
      if (hit && (!best || r.length > best.len)) best = { name: p.name, len: r.length };
    }
  }
  return best?.name;
}

const PURE = ['shared', 'http', 'domain', 'analysis', 'render'];
/** Node modules that do I/O, threads, processes or terminals. */
const IMPURE_MODULES = /^node:(fs|fs\/promises|net|tls|http|https|dgram|dns|child_process|worker_threads|tty|readline|os|cluster)$/;

/** Every import specifier of a file, with its line number, comments ignored. */
export function importsOf(code: string): { spec: string; line: number }[] {
  const noComments = code
    .replace(/\/\*[^]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^\s*\/\/.*$/gm, '');
  const out: { spec: string; line: number }[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)'([^']+)'/g;
  for (const m of noComments.matchAll(re)) {
    out.push({ spec: m[1]!, line: noComments.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** The broken rules of one file, as `file:line: part → part (spec)` lines. */
export function violations(parts: Part[], file: string, code: string): string[] {
  const from = partOf(parts, file);
  if (!from) return [`${file}: in no part of docs/architecture.md`];
  const rule = parts.find((p) => p.name === from)!;
  const out: string[] = [];
  for (const { spec, line } of importsOf(code)) {
    if (spec.startsWith('.')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      const to = partOf(parts, target);
      if (!to) { out.push(`${file}:${line}: imports ${spec}, which is in no part`); continue; }
      if (to === from) continue;
      const ok = rule.allowed === 'all' || (rule.allowed === 'all-but-cli' ? to !== 'cli' : rule.allowed.has(to));
      if (!ok) out.push(`${file}:${line}: ${from} may not import ${to} (${spec})`);
    } else if (PURE.includes(from) && IMPURE_MODULES.test(spec)) {
      out.push(`${file}:${line}: ${from} is pure and may not import ${spec}`);
    }
  }
  return out;
}


const parts = readParts(fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8'));

describe('import arrows (docs/architecture.md)', () => {
  it('the document names the ten parts', () => {
    expect(parts.map((p) => p.name)).toEqual(['shared', 'http', 'domain', 'analysis', 'render', 'pipeline', 'sources', 'sinks', 'web', 'tools', 'cli']);
  });

  it('every file in src/ is in a part, and no import breaks an arrow', () => {
    const broken: string[] = [];
    for (const abs of tsFilesUnder(path.join(ROOT, 'src'))) {
      const file = path.relative(ROOT, abs).split(path.sep).join('/');
      for (const v of violations(parts, file, fs.readFileSync(abs, 'utf8'))) broken.push(v);
    }
    expect(broken).toEqual([]);
  });

  it('catches a forbidden import, a pure part doing I/O, and a file outside every part', () => {
    expect(violations(parts, 'src/sinks/x.ts', "import { startListener } from '../sources/net/listener.js';"))
      .toEqual(["src/sinks/x.ts:1: sinks may not import sources (../sources/net/listener.js)"]);
    expect(violations(parts, 'src/domain/cab/x.ts', "\nconst m = await import('../../cli/main.js');"))
      .toEqual(["src/domain/cab/x.ts:2: domain may not import cli (../../cli/main.js)"]);
    expect(violations(parts, 'src/pipeline/http/x.ts', "const u = new URL('../workers/w.js', import.meta.url);"))
      .toEqual(["src/pipeline/http/x.ts:1: http may not import pipeline (../workers/w.js)"]);
    expect(violations(parts, 'src/render/x.ts', "import fs from 'node:fs';")).toEqual(["src/render/x.ts:1: render is pure and may not import node:fs"]);
    expect(violations(parts, 'src/render/x.ts', "// import fs from 'node:fs';\nimport { Chalk } from 'chalk';")).toEqual([]);
    expect(violations(parts, 'src/sources/x.ts', "import type { Exchange } from '../model.js';")).toEqual([]);
    expect(violations(parts, 'src/stray.ts', '')).toEqual(['src/stray.ts: in no part of docs/architecture.md']);
  });
});
