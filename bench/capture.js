// Capture benchmark (issue: listen): one 1 GiB upload into `wer-sniff listen -o <file>
// --respond none --once` against `nc -l <port> > file` (netcat-openbsd) and `socat -u
// TCP-LISTEN:… OPEN:file`, interleaved, medians and pair-by-pair ratios. Time runs from the
// client's connect to the receiver's exit (every byte on disk), and each file's size is checked.
// Also: `wer-sniff --help` start-up against `node -e 0`. Loopback only.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HOST, interleave, median, pairedRatio, startProcess, freePort, hasCommand, markdownTable, fmt } from './lib.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.CAPTURE_BYTES ?? 1024 * MiB);
const ROUNDS = Number(process.env.CAPTURE_ROUNDS ?? 5);
const BIN = fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));

async function upload(port, bytes) {
  const head = Buffer.from(`PUT /x.cab HTTP/1.1\r\nHost: b\r\nContent-Length: ${bytes}\r\n\r\n`, 'latin1');
  const block = Buffer.alloc(MiB, 0x5a);
  const sock = net.connect(port, HOST);
  await new Promise((r, j) => sock.once('connect', r).once('error', j));
  const t0 = process.hrtime.bigint();
  sock.write(head);
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, MiB);
    left -= n;
    if (!sock.write(n === MiB ? block : block.subarray(0, n))) await new Promise((r) => sock.once('drain', r));
  }
  sock.end();
  sock.on('error', () => {});
  sock.resume();
  return { t0, total: head.length + bytes };
}

function peers(dir) {
  const list = [];
  const file = (name) => path.join(dir, `${name}.bin`);
  list.push({ name: 'wer-sniff listen -o', file: file('wer'), start: (port) => startProcess(process.execPath, [BIN, 'listen', '-p', String(port), '-b', HOST, '--once', '--respond', 'none', '-o', file('wer')]) });
  list.push({ name: 'minimal Node receiver', file: file('node'), start: (port) => startProcess(process.execPath, [fileURLToPath(new URL('./minimal-capture.js', import.meta.url)), String(port), file('node')]) });
  if (hasCommand('nc')) list.push({ name: 'nc -l > file', file: file('nc'), start: (port) => startProcess('sh', ['-c', `exec nc -l ${HOST} ${port} > '${file('nc')}'`]) });
  if (hasCommand('socat')) list.push({ name: 'socat -u TCP-LISTEN OPEN', file: file('socat'), start: (port) => startProcess('socat', ['-u', `TCP-LISTEN:${port},bind=${HOST},reuseaddr`, `OPEN:${file('socat')},creat,trunc`]) });
  return list;
}

/** Waits for the port without connecting (a probe would be taken as the one connection). */
async function waitForPortQuietly(port, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const probe = net.createServer();
    const free = await new Promise((r) => probe.once('error', () => r(false)).listen(port, HOST, () => probe.close(() => r(true))));
    if (!free) return;
    if (Date.now() > end) throw new Error(`port ${port} never got taken`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startup(rounds = 15) {
  const time = (args) => {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, args, { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const ours = [];
  const base = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(time([BIN, '--help']));
    base.push(time(['-e', '0']));
  }
  return { ours, base };
}

export async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-bench-'));
  try {
    const list = peers(dir);
    console.error(`[capture bench] ${list.map((p) => p.name).join(', ')}; ${ROUNDS} rounds of ${SIZE / MiB} MiB`);
    const res = await interleave(ROUNDS, list, (p) => measureOnce(p), { log: (m) => console.error(m) });
    const wer = res.get(list[0].name);
    const rows = list.map((p) => [p.name, fmt.num(median(res.get(p.name)), 0), p === list[0] ? '–' : fmt.ratio(pairedRatio(wer, res.get(p.name)))]);
    console.log(`Capture of one ${SIZE / MiB} MiB upload to a file (MiB/s, higher is better; median of ${ROUNDS} interleaved rounds; ratio = wer-sniff ÷ peer, paired by round):\n`);
    console.log(markdownTable(['receiver', 'MiB/s', 'wer-sniff ÷ this'], rows));
    if (!hasCommand('nc')) console.log('\nnc (netcat-openbsd) is not installed: not measured.');
    if (!hasCommand('socat')) console.log('\nsocat is not installed: not measured.');
    const s = startup();
    console.log(`\nStart-up: \`wer-sniff --help\` ${fmt.num(median(s.ours), 0)} ms, \`node -e 0\` ${fmt.num(median(s.base), 0)} ms → ${fmt.ratio(pairedRatio(s.ours, s.base))} (median of 15 paired runs)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureOnce(peer) {
  const port = await freePort();
  fs.rmSync(peer.file, { force: true });
  const proc = peer.start(port);
  await waitForPortQuietly(port);
  const { t0, total } = await upload(port, SIZE);
  await proc.exited;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const size = fs.existsSync(peer.file) ? fs.statSync(peer.file).size : -1;
  fs.rmSync(peer.file, { force: true });
  if (size !== total) throw new Error(`${peer.name} saved ${size} bytes, expected ${total}`);
  return total / MiB / (ms / 1000);
}
