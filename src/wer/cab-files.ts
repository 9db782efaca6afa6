// Writes a cabinet's files into a directory: extractCab in memory, safeExtractPath for every
// name, then node:fs/promises. Portable (node:path, no shell). Never overwrites an existing file
// unless asked, never writes outside `dir`, and writes nothing for a file with an error.
// Deliberately no decoding of its own (src/decode/wer/cab-extract.ts does that).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { extractCab, safeExtractPath, type ExtractedFile } from '../decode/wer/cab-extract.js';

export interface CabDirError {
  /** The name as stored in the cabinet. */
  name: string;
  /** Where it would have gone, when that got decided. */
  path?: string;
  code: string;
  message: string;
}

export interface CabDirResult {
  /** Absolute paths of the files written, in cabinet order. */
  written: string[];
  errors: CabDirError[];
}

/** `opts.files`: the result of extractCab(buf) when the caller has it already (no second decode). */
export async function extractCabToDir(buf: Buffer, dir: string, opts: { overwrite?: boolean; files?: ExtractedFile[] } = {}): Promise<CabDirResult> {
  const root = path.resolve(dir);
  const result: CabDirResult = { written: [], errors: [] };
  for (const file of opts.files ?? extractCab(buf)) {
    const target = path.join(root, ...safeExtractPath(file.name).split('/'));
    if (!file.data) {
      result.errors.push({ name: file.name, code: file.error?.code ?? 'unknown', message: file.error?.message ?? 'not extracted' });
      continue;
    }
    // Belt and braces: safeExtractPath already keeps names relative.
    const rel = path.relative(root, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      result.errors.push({ name: file.name, path: target, code: 'unsafe-path', message: 'name resolves outside the target directory' });
      continue;
    }
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.data, { flag: opts.overwrite ? 'w' : 'wx' });
      result.written.push(target);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const message = e.code === 'EEXIST' ? 'file exists (not overwritten)' : e.message;
      result.errors.push({ name: file.name, path: target, code: e.code ?? 'io-error', message });
    }
  }
  return result;
}
