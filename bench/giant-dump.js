// `node bench/run.js giant-dump` (or `node bench/giant-dump.js [--only 60mb,1gib] [--pretty]
// [--bin other/bin/wer-sniff.js]`): the listener's memory over time while a dump CAB is PUT
// and summarised, `listen --save-dir --json` (--pretty: the human view instead of --json). One
// listener per case: a 60 MB dump (bench/hostile-cab.js's case) and a 1 GiB one, both MSZIP.
// VmRSS of the listener is sampled every 100 ms from before the upload until its summary is
// out (the exchange printed, the dump extracted under cab/). Reported: RSS before the upload,
// peak (VmHWM), and min–max of the samples over the steady part (from a quarter of the body
// sent to the summary out), with the CAB streamed from a file in 1 MiB writes. Also checked:
// the dump extracted whole, and no upload spool left in the temporary folder.
// The CABs are written once, block by block (bench/cab-stream-writer.js), and kept in
// os.tmpdir() (~32 MB and ~540 MB) for the next run.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeMinidump } from '../dist/domain/minidump/minidump-writer.js';
import { writeCabFile, dumpFiller } from './cab-stream-writer.js';
import { readMemory } from './lib.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const SAMPLE_MS = 100;
const SUMMARY_TIMEOUT_MS = 600_000;
const argOf = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };

/** A small real minidump (directory, system info, exception, modules, threads) at the start
 * of the 1 GiB one: the summary reads what its directory points at, not the filler. */
function realHead() {
  return writeMinidump({
    time: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    arch: 'AMD64',
    os: { major: 10, minor: 0, build: 19045 },
    exception: { code: 0xc0000005, address: 0x7ff612341234n, threadId: 7, parameters: [1, 0x10] },
    modules: [{ name: 'C:\\Program Files\\App\\app.exe', base: 0x7ff612340000n, size: 0x20000, timestamp: 0x5f000000 }],
  });
}

const CASES = [
  { name: '60mb', what: '60 MB dump (hostile-cab pattern)', size: 60 * MiB, head: () => Buffer.from('MDMP\x93\xa7\x00\x00', 'latin1') },
  { name: '1gib', what: '1 GiB dump (a real minidump head, then the same pattern)', size: 1024 * MiB, head: realHead },
];

function cabFor(c) {
  const file = path.join(os.tmpdir(), `wer-sniff-bench-giant-${c.name}.cab`);
  if (!fs.existsSync(file)) {
    const t = Date.now();
    process.stderr.write(`[giant-dump] writing ${file} ...`);
    writeCabFile(file, 'WER1.tmp.mdmp', c.size, dumpFiller(c.head()));
    process.stderr.write(` ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }
  return file;
}

const LEVEL1 = fs.readFileSync(path.join(HERE, '../test/fixtures/vectors/level1-hang.http'));

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Sends `head` then the file in 1 MiB writes (respecting backpressure); `progress(bytes)` as
 * it goes. Resolves with the answer's first bytes. */
function put(sock, head, file, progress) {
  return new Promise((resolve, reject) => {
    sock.once('data', (b) => resolve(b.toString('latin1')));
    sock.write(head);
    const fd = fs.openSync(file, 'r');
    let sent = 0;
    const pump = () => {
      for (;;) {
        const b = Buffer.allocUnsafe(MiB);
        const n = fs.readSync(fd, b, 0, MiB, sent);
        if (n === 0) return void fs.closeSync(fd);
        sent += n;
        progress(sent);
        if (!sock.write(b.subarray(0, n))) return void sock.once('drain', pump);
      }
    };
    sock.once('error', reject);
    pump();
  });
}

const spoolsOf = (pid) => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`wer-sniff-upload-${pid}-`));

function fileUnder(dir, name) {
  if (!fs.existsSync(dir)) return undefined;
  const e = fs.readdirSync(dir, { withFileTypes: true, recursive: true }).find((x) => x.isFile() && x.name === name);
  return e && path.join(e.parentPath, e.name);
}

async function measure(bin, c) {
  const file = cabFor(c);
  const cabBytes = fs.statSync(file).size;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-giant-'));
  const json = !process.argv.includes('--pretty');
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), bin, 'listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, ...(json ? ['--json'] : ['--color', 'never'])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', outBytes = 0, err = '';
  // The summary is out when the PUT's exchange is printed (--json: its line; pretty: its CAB
  // listing names the dump).
  let printed;
  const summaryOut = new Promise((r) => (printed = r));
  child.stdout.on('data', (b) => {
    if (process.env.BENCH_STDOUT) process.stderr.write(b);
    outBytes += b.length;
    out = (out + b.toString('latin1')).slice(-65536);
    if (json ? /"method":"PUT"/.test(out) && /WER1\.tmp\.mdmp/.test(out) : /WER1\.tmp\.mdmp/.test(out)) printed();
  });
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (b) => {
      err += b.toString();
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`listener exited: ${err.slice(-300)}`)));
  });
  const exited = new Promise((r) => child.on('exit', r));
  const samples = [];
  let sent = 0;
  const t0 = Date.now();
  const take = () => samples.push({ t: Date.now() - t0, sent, rss: readMemory(child.pid).rss });
  try {
    const s = await connect(port);
    const first = await new Promise((resolve) => { s.once('data', (b) => resolve(b.toString('latin1'))); s.write(LEVEL1); });
    const dump = /DumpFile=(.*)\r\n/.exec(first)[1];
    await new Promise((r) => setTimeout(r, 500)); // settle after the level-1 exchange
    take();
    const before = samples[0].rss;
    const timer = setInterval(take, SAMPLE_MS);
    const tPut = Date.now();
    const answer = await put(s, `PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${cabBytes}\r\n\r\n`, file, (n) => (sent = n));
    const putMs = Date.now() - tPut;
    const tSent = Date.now() - t0;
    const done = await Promise.race([summaryOut.then(() => true), new Promise((r) => setTimeout(() => r(false), SUMMARY_TIMEOUT_MS))]);
    const summaryMs = Date.now() - tPut;
    const tDone = Date.now() - t0;
    take();
    clearInterval(timer);
    const peak = readMemory(child.pid).hwm;
    const spoolsBefore = spoolsOf(child.pid).length;
    const extracted = fileUnder(dir, 'WER1.tmp.mdmp');
    const extractedOk = extracted ? fs.statSync(extracted).size === c.size : false;
    s.destroy();
    const pid = child.pid;
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((res) => setTimeout(res, 60_000))]);
    const steady = samples.filter((x) => x.sent >= cabBytes / 4 && x.t <= tDone).map((x) => x.rss);
    return {
      case: c.name, cabMiB: cabBytes / MiB, answered: /^HTTP\/1\.1 200/.test(answer), putMs, summaryMs: done ? summaryMs : NaN, sentAtMs: tSent,
      beforeMiB: before / MiB, peakMiB: peak / MiB, steadyMin: Math.min(...steady) / MiB, steadyMax: Math.max(...steady) / MiB,
      samples: samples.length, extractedOk, spoolsLeft: spoolsBefore + spoolsOf(pid).length, stdoutKiB: outBytes / 1024,
      series: samples,
    };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const bin = path.resolve(argOf('--bin') ?? path.join(HERE, '../bin/wer-sniff.js'));
  const only = argOf('--only');
  console.log(`listener: ${bin}, ${process.argv.includes('--pretty') ? 'human view' : '--json'}, --save-dir; RSS sampled every ${SAMPLE_MS} ms\n`);
  console.log('| case | CAB MiB | PUT answered | PUT ms | summary out ms | RSS before MiB | peak RSS MiB | steady RSS min–max MiB (spread) | dump extracted | spools left | stdout KiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    if (only && !only.split(',').includes(c.name)) continue;
    try {
      const r = await measure(bin, c);
      const f = (x) => x.toFixed(0);
      console.log(`| ${c.what} | ${r.cabMiB.toFixed(1)} | ${r.answered} | ${r.putMs} | ${r.summaryMs} | ${f(r.beforeMiB)} | ${f(r.peakMiB)} | ${f(r.steadyMin)}–${f(r.steadyMax)} (${f(r.steadyMax - r.steadyMin)}) | ${r.extractedOk} | ${r.spoolsLeft} | ${r.stdoutKiB.toFixed(1)} |`);
      if (process.env.BENCH_SERIES) {
        for (const x of r.series) console.error(`${c.name}\t${x.t}\t${(x.sent / MiB).toFixed(0)}\t${(x.rss / MiB).toFixed(1)}`);
      }
    } catch (e) {
      console.log(`| ${c.what} | failed: ${e.message.slice(0, 160)} |`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run().then(() => process.exit(0));
