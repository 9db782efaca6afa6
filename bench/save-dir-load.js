// `--save-dir` under many concurrent reports and a low open-file limit (red-team defect: reports
// were lost to EMFILE and the run still exited 0). Starts `wer-sniff listen --save-dir` under
// `ulimit -n <limit>` (bash, Linux/macOS), runs <count> clients at once — each sends a level-1
// report, reads the answer and PUTs the CAB to its DumpFile (bench/soak-clients.js) — then
// stops it with SIGINT and counts complete folders. A client whose connection is dropped before
// its answer (the listener itself is out of descriptors) tries again, as Windows does later.
// Run outside npm test:  npm run build && node bench/save-dir-load.js [--count 400] [--limit 256]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runClient } from './soak-clients.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const COUNT = opt('count', 400);
const LIMIT = opt('limit', 256);
const ATTEMPTS = opt('attempts', 20);
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wer-sniff.js');
const FILES = ['level1.http', 'report.xml', 'report.json', 'response.txt', 'report.cab', 'cab'];

/** One report, tried again (after a pause) while the listener drops the connection unanswered. */
async function report(port, n) {
  for (let attempt = 1; ; attempt++) {
    const rec = await runClient('good', port, n, Math.random);
    if (rec.reports === 1 && rec.cabs === 1) return { ok: true, attempts: attempt };
    if (rec.reports === 1 || attempt >= ATTEMPTS) return { ok: false, attempts: attempt, error: rec.error };
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

export async function run({ count = COUNT, limit = LIMIT } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-load-'));
  const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "${process.execPath}" "${BIN}" listen -p 0 -b 127.0.0.1 --save-dir "${dir}/saved" -o "${dir}/cap.bin"`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  const port = await new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on [^\s]+:(\d+)/.exec(stderr);
      if (m) (clearInterval(t), resolve(Number(m[1])));
    }, 20);
    void exited.then(() => (clearInterval(t), reject(new Error(`listen exited: ${stderr}`))));
  });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => report(port, i + 1)));
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGINT');
  const code = await exited;
  const folders = fs.readdirSync(path.join(dir, 'saved'));
  const complete = folders.filter((f) => FILES.every((name) => fs.existsSync(path.join(dir, 'saved', f, name))));
  const leftovers = folders.flatMap((f) => fs.readdirSync(path.join(dir, 'saved', f)).filter((n) => /\.(part|tmp)$/.test(n)));
  const lines = stderr.split('\n');
  const figures = {
    count, limit, seconds: Number(seconds.toFixed(1)),
    answered: results.filter((r) => r.ok).length,
    retried: results.filter((r) => r.attempts > 1).length,
    clientErrors: results.filter((r) => !r.ok).length,
    folders: folders.length, complete: complete.length, leftovers: leftovers.length,
    emfileLines: lines.filter((l) => /EMFILE|ENFILE/.test(l)).length,
    exitCode: code,
    summary: lines.find((l) => l.startsWith('stopped:')),
    lastLine: lines.filter(Boolean).pop(),
  };
  if (process.env.KEEP) console.error(`kept ${dir}`, stderr.slice(0, 4000), results.filter((r) => !r.ok).slice(0, 5));
  else fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 2));
