// `node bench/run.js big-text-put` (or `node bench/big-text-put.js [--bin other/bin/wer-sniff.js]
// [--mib 20] [--rounds 3] [--listen-args "..."]`): how long a large text-like upload blocks the
// other clients of a live `listen`. One client PUTs a <mib> MiB text body (printable lines, the
// shape the text view decodes whole) while another, on one keep-alive connection, POSTs level-1
// reports back to back. Reported: the other client's answer latency (p50/p99/max) over the
// rounds, the listener's own event-loop delay meanwhile (p99 and max: its stalls, without the
// benchmark process's scheduling), the PUTs' answer time and the listener's peak RSS (VmHWM).
// The target for max is
// 100 ms (issue 17: no client blocks the others longer than that). `--bin` measures another
// build with the same inputs (e.g. the code before a change).
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { loopDelayProbe } from './loop-delay-probe.js';
import { peakRss, prepareUpload, upload } from './lib.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const argOf = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const LEVEL1 = fs.readFileSync(path.join(HERE, '../test/fixtures/vectors/level1-hang.http'));

/** `mib` MiB of printable ASCII lines (no two lines alike, so nothing compresses it away). */
function textBody(mib) {
  const body = Buffer.alloc(mib * MiB);
  const line = 'log line %d: the quick brown fox jumps over the lazy dog; value=%d\r\n';
  let at = 0;
  for (let i = 0; at < body.length; i++) at += body.write(line.replace('%d', String(i)).replace('%d', String(i * 7919 % 100003)), at, 'latin1');
  return body;
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Sends `bytes` and resolves with the reply once `complete(reply)` holds, and its time in ms. */
function ask(sock, bytes, complete) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    let got = '';
    const onData = (b) => {
      got += b.toString('latin1');
      if (!complete(got)) return;
      sock.off('data', onData);
      resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, reply: got });
    };
    sock.on('data', onData);
    sock.write(bytes);
  });
}

/** A whole HTTP answer: head, then Content-Length bytes. */
function wholeAnswer(s) {
  const end = s.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /content-length:\s*(\d+)/i.exec(s.slice(0, end));
  return s.length >= end + 4 + (m ? Number(m[1]) : 0);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** One listener: `rounds` PUTs of `body`, one after the other, while the other client asks. */
export async function measure({ bin, body, rounds, listenArgs = [] }) {
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-big-text-'));
  const probe = loopDelayProbe(path.join(probeDir, 'loop-delay.json'));
  const child = spawn(process.execPath, [...probe.execArgv, ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), bin, 'listen', '-p', '0', '-b', '127.0.0.1', '--color', 'never', ...listenArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: probe.env });
  let out = 0, err = '';
  child.stdout.on('data', (b) => (out += b.length));
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (b) => {
      err += b.toString();
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`listener exited: ${err}`)));
  });
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const other = await connect(port);
    await ask(other, LEVEL1, wholeAnswer); // warm: the first answer loads the decoders
    // Each PUT is written to a file now and sent by a process of its own (bench/lib.js upload):
    // building and writing 20 MiB in this process delayed the other client's reading here.
    const putFiles = Array.from({ length: rounds }, (_, r) => prepareUpload(Buffer.concat([
      Buffer.from(`PUT /upload/${r}.txt HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]), path.join(probeDir, `put-${r}.http`)));
    probe.start(child);
    const waits = [];
    let running = true;
    const loop = (async () => {
      while (running) waits.push((await ask(other, LEVEL1, wholeAnswer)).ms);
    })();
    const putMs = [];
    for (let r = 0; r < rounds; r++) {
      const put = await upload(port, putFiles[r]);
      if (!/^HTTP\/1\.1 \d{3}/.test(put.reply)) throw new Error(`PUT ${r + 1}: ${put.reply}`);
      putMs.push(Math.round(put.ms));
      await new Promise((res) => setTimeout(res, 1000)); // what the upload's decoding does after its answer
    }
    running = false;
    await loop;
    const rss = peakRss(child.pid);
    other.destroy();
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((res) => setTimeout(res, 30_000))]);
    const sorted = [...waits].sort((a, b) => a - b);
    const loopDelay = probe.read();
    return {
      answers: sorted.length,
      loopP99: loopDelay ? +loopDelay.p99Ms.toFixed(1) : NaN, loopMax: loopDelay ? Math.round(loopDelay.maxMs) : NaN,
      p50: +pct(sorted, 0.5).toFixed(1), p99: +pct(sorted, 0.99).toFixed(1), max: +sorted[sorted.length - 1].toFixed(1),
      putMs, peakRssMiB: Math.round(rss / MiB), stdoutMiB: +(out / MiB).toFixed(1),
    };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
}

export async function run() {
  const bin = path.resolve(argOf('--bin') ?? path.join(HERE, '../bin/wer-sniff.js'));
  const mib = Number(argOf('--mib') ?? 20);
  const rounds = Number(argOf('--rounds') ?? 3);
  const listenArgs = argOf('--listen-args')?.split(' ') ?? [];
  const r = await measure({ bin, body: textBody(mib), rounds, listenArgs });
  console.log(`listener: ${bin} ${listenArgs.join(' ')}; ${rounds} PUTs of ${mib} MiB text/plain, one keep-alive client POSTing level-1 reports meanwhile\n`);
  console.log('| other client answers | p50 ms | p99 ms | max ms (target ≤ 100) | listener loop p99 / max ms | PUT answered after ms | listener peak RSS MiB | stdout MiB |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| ${r.answers} | ${r.p50} | ${r.p99} | ${r.max} | ${r.loopP99} / ${r.loopMax} | ${r.putMs.join(', ')} | ${r.peakRssMiB} | ${r.stdoutMiB} |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run().then(() => process.exit(0));
