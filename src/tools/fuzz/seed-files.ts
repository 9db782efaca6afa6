// Loads the fuzzer's seed files from disk: the MS-CER2 vectors (test/fixtures/vectors), samples/, the bad-input corpus (test/fixtures/bad) and earlier fuzz findings
// (test/fixtures/fuzz), plus the seeds generated in code. Tooling, so it reads files; the
// targets and the engine stay pure.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedSeeds } from './seeds.js';
import type { SeedFile } from './target.js';

/** The repository root (this file is src/fuzz/ or dist/fuzz/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FUZZ_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'fuzz');

function readDir(dir: string, keep: (name: string) => boolean): SeedFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter(keep).sort().map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) }));
}

export function loadSeedFiles(root = REPO_ROOT): SeedFile[] {
  const vectors = path.join(root, 'test', 'fixtures', 'vectors');
  return [
    ...readDir(vectors, (n) => /\.(http|cab|xml)$/.test(n)),
    ...readDir(path.join(root, 'samples'), (n) => n.endsWith('.http')),
    ...readDir(path.join(root, 'test', 'fixtures', 'bad'), (n) => /\.(http|bin)$/.test(n)),
    ...generatedSeeds(),
  ];
}

/** Saved failures: `<target>-<kind>-<hash>.bin`. */
export function loadRegressions(dir = FUZZ_FIXTURES): { file: string; target: string; bytes: Buffer }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.bin')).sort().map((file) => ({
    file, target: file.split('--')[0]!, bytes: fs.readFileSync(path.join(dir, file)),
  }));
}
