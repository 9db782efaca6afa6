// Web inspector benchmark: the list with 10,000 exchanges in history, in headless Chromium
// (Debian's chromium through playwright-core). `wer-sniff inspect` loads 10,000 level-1 reports;
// the time is from navigation to the page showing all 10,000 in its list (rows fetched, sorted
// and the visible lines drawn). Peer, measured in the same run and browser: the same 10,000 rows
// as a plain static HTML table (what a page without a virtual list would draw). Median of a few
// rounds. Target: ≤ 1 s for the inspector.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, fmt, markdownTable } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));
const VECTOR = fileURLToPath(new URL('../test/fixtures/vectors/level1-appcrash.http', import.meta.url));
const EXCHANGES = 10_000;
const ROUNDS = Number(process.env.WEB_ROUNDS ?? 5);

function chromiumPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function run() {
  const exe = chromiumPath();
  if (!exe) {
    console.log('skipped: chromium is not installed (apt-get install chromium)');
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-web-bench-'));
  const file = path.join(dir, 'reports.bin');
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: EXCHANGES }, () => fs.readFileSync(VECTOR))));
  const cli = spawn(process.execPath, [BIN, 'inspect', '--web', ':0', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  cli.stderr.on('data', (b) => (err += b));
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const t0 = Date.now();
    while (!/loaded/.test(err)) {
      if (cli.exitCode !== null || Date.now() - t0 > 300_000) throw new Error(`inspect did not load: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /web inspector: (\S+)/.exec(err)[1];
    const rows = JSON.parse(await (await fetch(url.replace('/?', '/api/rows?'))).text()).rows;
    if (rows.length !== EXCHANGES) throw new Error(`history holds ${rows.length} exchanges, not ${EXCHANGES}`);
    const table = `<table>${rows.map((r) => `<tr><td>${r.ts}</td><td>${r.conn}#${r.seq}</td><td>${r.machine}</td><td>${r.event}</td><td>${r.app}</td><td>${r.exception}</td><td>${r.status}</td><td>${r.size}</td><td></td></tr>`).join('')}</table>`;
    const inspector = [];
    const plain = [];
    for (let i = 0; i < ROUNDS; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const t = Date.now();
      await page.goto(url);
      await page.waitForFunction((n) => document.querySelector('.count')?.textContent === `${n} of ${n}` && document.querySelector('.row.data'), EXCHANGES, { timeout: 60_000, polling: 'raf' });
      inspector.push(Date.now() - t);
      await page.close();
      const p2 = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const t2 = Date.now();
      await p2.setContent(table);
      await p2.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(document.querySelectorAll('tr').length))));
      plain.push(Date.now() - t2);
      await p2.close();
    }
    const mi = median(inspector);
    const mp = median(plain);
    console.log(`${EXCHANGES.toLocaleString('en-US')} exchanges in history, headless Chromium, median of ${ROUNDS}:\n`);
    console.log(markdownTable(['page', 'list shown', 'ratio'], [
      ['web inspector (fetch /api/rows, sort, virtual list)', `${fmt.num(mi, 0)} ms`, fmt.num(mi / mp, 2)],
      ['plain HTML table of the same rows (peer)', `${fmt.num(mp, 0)} ms`, '1.00'],
    ]));
    console.log(`\nTarget ≤ 1000 ms: ${mi <= 1000 ? 'met' : 'NOT met'}.`);
  } finally {
    await browser.close();
    cli.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
