// Decode benchmark (issue: listen): `wer-sniff decode --json` of a file of 100,000 level-1
// reports (the appcrash vector back to back, ~240 MB), to /dev/null. Reports per second of wall
// time and per second of the process's CPU time (user + system, bench/rusage.js: steadier than
// wall time on a shared machine), medians of a few runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, fmt, markdownTable } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));
const RUSAGE = fileURLToPath(new URL('./rusage.js', import.meta.url));
const VECTOR = fileURLToPath(new URL('../test/fixtures/vectors/level1-appcrash.http', import.meta.url));
const REPORTS = Number(process.env.DECODE_REPORTS ?? 100_000);
const ROUNDS = Number(process.env.DECODE_ROUNDS ?? 3);

export async function run() {
  const one = fs.readFileSync(VECTOR);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-decode-'));
  const file = path.join(dir, 'reports.bin');
  try {
    const fd = fs.openSync(file, 'w');
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => one));
    for (let i = 0; i < REPORTS / 1000; i++) fs.writeSync(fd, batch);
    fs.closeSync(fd);
    const rows = [];
    const usage = path.join(dir, 'rusage.json');
    for (const mode of [['--json'], []]) {
      const rates = [];
      const cpuRates = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t = process.hrtime.bigint();
        const res = spawnSync(process.execPath, ['--import', RUSAGE, BIN, 'decode', ...mode, file], {
          stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, WER_SNIFF_RUSAGE: usage },
        });
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        if (res.status !== 0) throw new Error(`decode exited ${res.status}: ${res.stderr}`);
        rates.push(REPORTS / s);
        cpuRates.push(REPORTS / (JSON.parse(fs.readFileSync(usage, 'utf8')).cpuMs / 1000));
      }
      rows.push([`decode ${mode.join(' ') || '(human view)'}`, fmt.num(median(rates), 0), fmt.num(median(cpuRates), 0), `${fmt.num(REPORTS / median(rates), 1)} s`]);
    }
    console.log(`Offline decode of ${REPORTS.toLocaleString('en-US')} level-1 reports (${fmt.mb(fs.statSync(file).size)}), output to /dev/null, median of ${ROUNDS}:\n`);
    console.log(markdownTable(['command', 'reports/s (wall)', 'reports per CPU-second', 'time'], rows));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
