// Where test inputs live, the one place that says so: the MS-CER2 vectors (test/fixtures/vectors,
// made by its make-vectors.py), the other fixtures, samples/ and the CLI entry point.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const VECTORS = path.join(FIXTURES, 'vectors');
export const SAMPLES = path.join(ROOT, 'samples');
export const BIN = path.join(ROOT, 'bin', 'wer-sniff.js');

/** The path of one vector, e.g. `vectorPath('level1-appcrash.http')`. */
export function vectorPath(name: string): string {
  return path.join(VECTORS, name);
}

/** The exact bytes of one vector. */
export function readVector(name: string): Buffer {
  return readFileSync(vectorPath(name));
}

/** Paths of every vector whose name ends with `ending` (e.g. `.http`), sorted. */
export function vectorFiles(ending: string): string[] {
  return readdirSync(VECTORS).filter((f) => f.endsWith(ending)).sort().map(vectorPath);
}

/** Head text (latin1) and body bytes of a raw HTTP vector, split at the first blank line
 * (LF-only line ends tolerated). */
export function splitVector(name: string): { head: string; body: Buffer } {
  const raw = readVector(name);
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, m.index), body: raw.subarray(m.index + m[0].length) };
}

/** Every `.ts` file under `dir` (the lint tests walk src/ with it). */
export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) for (const f of tsFilesUnder(p)) out.push(f);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}
