// Runs once around the suite. Before: the CLI tests run bin/wer-sniff.js (which loads dist/) and
// some tests import dist/ directly, so a dist/ older than src/ would test stale code — `npm test`
// builds first; a bare `npx vitest run` after an edit is stopped here with what to run.
// Around: every temporary file of the run — the tests' own and those of the CLI processes they
// start (spools, save-dir temp files) — goes into one fresh folder (TMPDIR, TEMP and TMP point
// there for the workers and their children). After the run whatever is still in it was left
// behind by a test or the product: the run fails naming it (a 256 MiB report.cab once stayed
// in /tmp after a failed assertion), and the folder is removed either way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.js';

function newest(dir: string, keep: (name: string) => boolean): number {
  let max = 0;
  if (!fs.existsSync(dir)) return max;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(full, keep));
    else if (entry.isFile() && keep(entry.name)) max = Math.max(max, fs.statSync(full).mtimeMs);
  }
  return max;
}

/** Every file and folder under `dir` with its size (folders: the sum of what they hold). */
function leftovers(dir: string): { path: string; bytes: number }[] {
  const found: { path: string; bytes: number }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    const st = fs.lstatSync(full);
    found.push({ path: full, bytes: entry.isDirectory() ? size(full) : st.size });
  }
  return found;
}

function size(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? size(full) : fs.lstatSync(full).size;
  }
  return total;
}

export function describeLeftovers(dir: string): string | undefined {
  const left = leftovers(dir);
  if (!left.length) return undefined;
  const total = left.reduce((n, l) => n + l.bytes, 0);
  const shown = left.slice(0, 10).map((l) => `${path.basename(l.path)} (${l.bytes} bytes)`).join(', ');
  return `the tests left ${left.length} temporary entr${left.length === 1 ? 'y' : 'ies'} behind (${total} bytes): ${shown}${left.length > 10 ? ', …' : ''} — remove them in the test that makes them (afterAll, onTestFinished), also when it fails`;
}

export default function setup(): () => void {
  const src = newest(path.join(ROOT, 'src'), (n) => n.endsWith('.ts'));
  const dist = newest(path.join(ROOT, 'dist'), (n) => n.endsWith('.js'));
  if (dist === 0) throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
  if (src > dist) throw new Error('src/ is newer than dist/: run `npm run build` (or `npm test`, which builds first)');

  const parent = os.tmpdir();
  const run = fs.mkdtempSync(path.join(parent, 'wer-sniff-test-run-'));
  for (const k of ['TMPDIR', 'TEMP', 'TMP']) process.env[k] = run;
  return () => {
    for (const k of ['TMPDIR', 'TEMP', 'TMP']) process.env[k] = parent;
    const problem = describeLeftovers(run);
    fs.rmSync(run, { recursive: true, force: true });
    if (problem) {
      // A throw here is only printed ("error during close"); the exit code must say it too.
      console.error(`\nFAIL leftover temporary files: ${problem}\n`);
      process.exitCode = 1;
    }
  };
}
