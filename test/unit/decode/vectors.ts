// Loads the shared MS-CER2 vectors (raw .http files) for unit tests: splits head and body at
// the first blank line, tolerating LF-only checkouts of the text vectors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTORS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/protocol/vectors');

export function readVector(name: string): Buffer {
  return readFileSync(path.join(VECTORS_DIR, name));
}

/** Head text (latin1) and body bytes of a raw HTTP vector. */
export function splitVector(name: string): { head: string; body: Buffer } {
  const raw = readVector(name);
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: Buffer.alloc(0) };
  return { head: text.slice(0, m.index), body: raw.subarray(m.index + m[0].length) };
}
