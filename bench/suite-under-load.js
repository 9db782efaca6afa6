// Runs the whole test suite several times in a row while CPU-burning loops compete for the
// cores, the way a shared CI machine does: a suite whose timing bounds or waits are too tight
// fails here first. Prints one line per run (files, tests, failures, seconds) and exits
// non-zero if any run failed. The burners are child processes of this script, ended by PID.
// Usage: npm run build && node bench/suite-under-load.js [--runs 3] [--burners 2]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption as opt } from './lib.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = opt('runs', 3);
const BURNERS = opt('burners', 2);
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** One busy loop in its own process (it never yields). */
const burner = () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });

/** One full vitest run; resolves with its summary figures (counted from vitest's own lines).
 * Its whole output goes to `log`, read when a run failed. */
function suite(log) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [VITEST, 'run'], { cwd: ROOT, env: { ...process.env, CI: 'true', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('close', (code) => {
      out = out.replace(/\x1b\[[0-9;]*m/g, ''); // vitest colours its summary whatever FORCE_COLOR says
      fs.writeFileSync(log, out);
      const files = /Test Files\s+(.*)/.exec(out)?.[1]?.trim() ?? '?';
      const tests = /Tests\s+(.*)/.exec(out)?.[1]?.trim() ?? '?';
      const failed = [...new Set([...out.matchAll(/^\s*FAIL\s+(.*)$/gm)].map((m) => m[1].trim()))].slice(0, 20);
      resolve({ code, files, tests, failed, seconds: Math.round((performance.now() - started) / 1000) });
    });
  });
}

const burners = Array.from({ length: BURNERS }, burner);
const stopBurners = () => { for (const b of burners) if (b.exitCode === null) process.kill(b.pid); };
process.on('SIGINT', () => (stopBurners(), process.exit(130)));
let failures = 0;
try {
  for (let run = 1; run <= RUNS; run++) {
    const log = path.join(os.tmpdir(), `wer-sniff-suite-run-${process.pid}-${run}.log`);
    const r = await suite(log);
    if (r.code !== 0) failures++;
    console.log(`run ${run}/${RUNS} with ${BURNERS} burners: exit ${r.code}, ${r.seconds} s — files ${r.files}; tests ${r.tests}${r.code ? ` (output: ${log})` : ''}`);
    for (const f of r.failed) console.log(`  failed: ${f}`);
  }
} finally {
  stopBurners();
}
process.exitCode = failures ? 1 : 0;
