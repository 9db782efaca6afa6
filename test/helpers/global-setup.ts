// Runs once before the suite: the CLI tests run bin/wer-sniff.js (which loads dist/) and some
// tests import dist/ directly, so a dist/ older than src/ would test stale code. `npm test`
// builds first; a bare `npx vitest run` after an edit is stopped here with what to run.
import fs from 'node:fs';
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

export default function setup(): void {
  const src = newest(path.join(ROOT, 'src'), (n) => n.endsWith('.ts'));
  const dist = newest(path.join(ROOT, 'dist'), (n) => n.endsWith('.js'));
  if (dist === 0) throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
  if (src > dist) throw new Error('src/ is newer than dist/: run `npm run build` (or `npm test`, which builds first)');
}
