// `node bench/run.js hostile-cab` (or `node bench/hostile-cab.js [--bin other/bin/wer-sniff.js]
// [--only name]`): the red team's CABs against a live `listen --save-dir --json`, one listener
// per case. Per case: the PUT's answer time, the p99 and the most any of four keep-alive
// level-1 clients waited for an answer meanwhile, the listener's own event-loop delay (p99 and
// max: its stalls, without the benchmark process's scheduling), its peak RSS (VmHWM), bytes
// written under cab/, and bytes printed. `--bin` measures another build (e.g. the code before a
// fix); `--rounds n` measures each case n times and prints each figure's median. Each client
// pauses `--pause` ms (default 5) between an answer and its next report: at 5 ms the four keep
// the listener's thread busy (its queue is part of every wait, upload or not); at 50 ms they are
// a busy fleet (~80 reports/s) and the waits show what the upload itself adds. The clients run
// `--warm` ms (default 2000) before the upload, not counted: a listener's first reports pay
// for compiling its code, which is not what an upload adds.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeCab } from '../dist/domain/cab/cab-writer.js';
import { mszipBomb, overlapCab, longLineCab } from '../dist/tools/fuzz/hostile-cabs.js';
import { loopDelayProbe } from './loop-delay-probe.js';
import { median, numberOption, peakRss, prepareUpload, upload } from './lib.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const PUT_TIMEOUT_MS = 180_000;
const PAUSE_MS = numberOption('pause', 5);
const WARM_MS = numberOption('warm', 2000);
const argOf = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };

/** A 32 MB CAB holding a 60 MB "minidump" (MDMP header, then ~1.9:1 compressible bytes). */
function bigDumpCab(compression = 'mszip') {
  const file = path.join(os.tmpdir(), `wer-sniff-bench-60mb-dump${compression === 'mszip' ? '' : `-${compression}`}.cab`);
  if (fs.existsSync(file)) return fs.readFileSync(file);
  const dump = Buffer.alloc(60 * MiB);
  let x = 12345;
  for (let i = 0; i < dump.length; i += 4) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    dump.writeUInt32LE((i & 0x1000) ? 0 : x, i);
  }
  dump.write('MDMP', 0, 'latin1');
  dump.writeUInt32LE(0xa793, 4);
  const cab = writeCab([{ name: 'WER1.tmp.mdmp', data: dump }], { compression });
  fs.writeFileSync(file, cab);
  return cab;
}

const CASES = [
  { name: 'sample', what: 'the 2 KB sample vector (baseline)', cab: () => fs.readFileSync(path.join(HERE, '../test/fixtures/vectors/sample-report-mszip.cab')) },
  { name: 'bomb-1-folder', what: '3.6 MB CAB, 1 folder inflating to 2 GiB', cab: () => mszipBomb(1, 2047) },
  { name: 'bomb-8-folders', what: '3.6 MB CAB, 8 folders of 256 MiB', cab: () => mszipBomb(8, 256) },
  { name: 'overlap-400', what: '25 KB CAB, 400 records over one 8 MiB folder', cab: () => overlapCab(400, 8) },
  { name: 'overlap-400-txt', what: 'the same, named .txt', cab: () => overlapCab(400, 8, 'txt') },
  { name: 'long-line', what: '36 KB CAB, Version.txt one 20 MiB line', cab: () => longLineCab(20) },
  { name: 'dump-60mb', what: '32 MB CAB holding a 60 MB minidump', cab: () => bigDumpCab('mszip') },
  { name: 'dump-60mb-lzx', what: 'the same 60 MB minidump in an LZX CAB', cab: () => bigDumpCab('lzx') },
];

const LEVEL1 = fs.readFileSync(path.join(HERE, '../test/fixtures/vectors/level1-hang.http'));

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** One request on a keep-alive socket; resolves with the milliseconds to the first reply byte
 * (each reply arrives in one piece on loopback) and the reply. */
function ask(sock, bytes) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    sock.once('data', (b) => resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, reply: b.toString('latin1') }));
    sock.write(bytes);
  });
}

function quantile(xs, q) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function bytesUnder(dir) {
  let n = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

async function measure(bin, c) {
  const cab = c.cab();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-hostile-'));
  const probe = loopDelayProbe(path.join(dir, 'loop-delay.json'));
  const saveDir = path.join(dir, 'saved');
  const child = spawn(process.execPath, [...probe.execArgv, ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), bin, 'listen', '-p', '0', '-b', '127.0.0.1', ...(process.argv.includes('--no-save-dir') ? [] : ['--save-dir', saveDir]), ...(argOf('--listen-args')?.split(' ') ?? []), ...(process.argv.includes('--json') ? ['--json'] : ['--color', 'never'])], { stdio: ['ignore', 'pipe', 'pipe'], env: probe.env });
  let out = 0, err = '';
  child.stdout.on('data', (b) => (out += b.length));
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (b) => {
      err += b.toString(); if (process.env.SHOW_ERR) process.stderr.write(b);
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`listener exited: ${err}`)));
  });
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const s = await connect(port);
    const first = await ask(s, LEVEL1);
    const dump = /DumpFile=(.*)\r\n/.exec(first.reply)[1];
    const putFile = prepareUpload(Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${cab.length}\r\n\r\n`), cab]), path.join(dir, 'put.http'));
    const clients = await Promise.all([0, 1, 2, 3].map(() => connect(port)));
    // The clients run for WARM_MS before the upload and before anything is counted: the
    // figures are those of a listener that has been serving a while (its code compiled and
    // optimised), not of its first few reports.
    let running = true, measuring = false, worst = 0, answers = 0;
    const waits = [];
    const loops = clients.map(async (k) => {
      while (running) {
        const r = await ask(k, LEVEL1);
        if (measuring) {
          worst = Math.max(worst, r.ms);
          waits.push(r.ms);
          answers++;
        }
        await new Promise((res) => setTimeout(res, PAUSE_MS));
      }
    });
    await new Promise((res) => setTimeout(res, WARM_MS));
    probe.start(child);
    measuring = true;
    // An upload nobody answers (the listener's decoding died) counts as not answered.
    const put = await Promise.race([
      upload(port, putFile),
      new Promise((res) => setTimeout(() => res({ ms: NaN, reply: 'no answer' }), PUT_TIMEOUT_MS)),
    ]);
    const putMs = put.ms;
    // Let the summary finish while the clients keep asking; then their worst wait is known.
    await new Promise((res) => setTimeout(res, 1500));
    running = false;
    await Promise.race([Promise.all(loops), new Promise((res) => setTimeout(res, 60_000))]);
    const rss = peakRss(child.pid);
    for (const k of [s, ...clients]) k.destroy();
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((res) => setTimeout(res, 120_000))]);
    const [folder] = fs.existsSync(saveDir) ? fs.readdirSync(saveDir) : [];
    const loop = probe.read();
    return {
      case: c.name, cab: cab.length, putAnswered: /^HTTP\/1\.1 200/.test(put.reply), putMs, worstOtherMs: Math.round(worst), p99OtherMs: +quantile(waits, 0.99).toFixed(1), otherAnswers: answers,
      loopP99Ms: loop ? +loop.p99Ms.toFixed(1) : NaN, loopMaxMs: loop ? Math.round(loop.maxMs) : NaN,
      peakRssMiB: Math.round(rss / MiB), cabDirMiB: +(bytesUnder(path.join(saveDir, folder ?? '', 'cab')) / MiB).toFixed(1), stdoutMiB: +(out / MiB).toFixed(2),
    };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const COLUMNS = [
  ['PUT answered', 'putAnswered'], ['PUT ms', 'putMs'], ['p99 other ms', 'p99OtherMs'], ['worst other ms', 'worstOtherMs'],
  ['other answers', 'otherAnswers'], ['listener loop p99 ms', 'loopP99Ms'], ['listener loop max ms', 'loopMaxMs'],
  ['peak RSS MiB', 'peakRssMiB'], ['cab/ MiB', 'cabDirMiB'], ['stdout MiB', 'stdoutMiB'],
];

/** Each figure's median over the rounds (all answered only if every round was). */
function medianRow(rows) {
  const r = { case: rows[0].case, cab: rows[0].cab };
  for (const [, key] of COLUMNS) r[key] = key === 'putAnswered' ? rows.every((x) => x.putAnswered) : +median(rows.map((x) => x[key])).toFixed(1);
  return r;
}

export async function run() {
  const bin = path.resolve(argOf('--bin') ?? path.join(HERE, '../bin/wer-sniff.js'));
  const only = argOf('--only');
  const rounds = Number(argOf('--rounds') ?? 1);
  console.log(`listener: ${bin}${rounds > 1 ? `; median of ${rounds} rounds per case` : ''}\n`);
  console.log(`| case | CAB bytes | ${COLUMNS.map(([title]) => title).join(' | ')} |`);
  console.log(`|---|---|${COLUMNS.map(() => '---').join('|')}|`);
  for (const c of CASES) {
    if (only && !only.split(',').includes(c.name)) continue;
    try {
      const rows = [];
      for (let i = 0; i < rounds; i++) rows.push(await measure(bin, c));
      const r = medianRow(rows);
      console.log(`| ${r.case} | ${r.cab} | ${COLUMNS.map(([, key]) => r[key]).join(' | ')} |`);
    } catch (e) {
      console.log(`| ${c.name} | failed: ${e.message.slice(0, 120)} |`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run().then(() => process.exit(0));
