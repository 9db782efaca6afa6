// Memory of the file outputs under heavy uploads (red-team cases), on the built CLI:
//   har:   40 uploads of 20 MiB (4 at a time) into `listen --respond ok --har <file>`; peak RSS
//          during the run and while stopping, the HAR's size, whether it parses and holds 40
//          entries.
//   spool: one connection stays open (it owns `-o`), 200 others send 4 MiB each and close;
//          peak RSS while they wait, then the first closes and the -o file is checked byte
//          for byte (its size and sha256 against what was sent, in order).
// `node bench/outputs-memory.js [har] [spool]` after `npm run build`. Figures go in the reply
// or PR, not in npm test: this moves ~1.6 GB over loopback. Env: HAR_UPLOADS, HAR_MIB,
// SPOOL_CONNS, SPOOL_MIB, EXTRA_ARGS (more CLI flags, e.g. --include-bodies), NO_HAR=1 (the same
// uploads without --har: what the rest of the pipeline costs).
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HOST, startProcess, sampleMemory, fmt, sleep } from './lib.js';

const MiB = 1024 * 1024;
const BIN = fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));
const EXTRA = (process.env.EXTRA_ARGS ?? '').split(' ').filter(Boolean);

/** Starts `wer-sniff listen -p 0 …`; resolves with the process and its port. */
async function startListen(args) {
  const p = startProcess(process.execPath, [BIN, 'listen', '-p', '0', '-b', HOST, ...args, ...EXTRA], { stdout: 'ignore', stderr: 'pipe' });
  let err = '';
  p.child.stderr.on('data', (d) => (err += d));
  const port = await new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 20);
    p.exited.then(() => reject(new Error(`exited: ${err}`)));
  });
  return { p, port, stderr: () => err };
}

function connect(port) {
  const sock = net.connect(port, HOST);
  sock.on('error', () => {});
  return new Promise((resolve, reject) => sock.once('connect', () => resolve(sock)).once('error', reject));
}

async function writeAll(sock, buf) {
  if (!sock.write(buf)) await new Promise((r) => sock.once('drain', r));
}

/** PUT of `bytes` pseudo-random bytes; resolves when the answer came and the socket closed. */
async function upload(port, bytes, seed) {
  const sock = await connect(port);
  const block = crypto.createHash('sha512').update(String(seed)).digest();
  const piece = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i += block.length) block.copy(piece, i);
  await writeAll(sock, Buffer.from(`PUT /up/${seed}.cab HTTP/1.1\r\nHost: b\r\nContent-Length: ${bytes}\r\n\r\n`));
  for (let left = bytes; left > 0; left -= MiB) await writeAll(sock, left >= MiB ? piece : piece.subarray(0, left));
  sock.resume();
  await new Promise((r) => sock.once('data', r).once('close', r));
  sock.end();
  await new Promise((r) => sock.once('close', r));
}

async function stop(run) {
  const mem = sampleMemory(run.p.pid, 50);
  run.p.child.kill('SIGTERM');
  await run.p.exited;
  return mem.stop();
}

async function har() {
  const n = Number(process.env.HAR_UPLOADS ?? 40);
  const size = Number(process.env.HAR_MIB ?? 20) * MiB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-bench-har-'));
  const file = path.join(dir, 'run.har');
  const run = await startListen(['--respond', 'ok', ...(process.env.NO_HAR ? [] : ['--har', file])]);
  const mem = sampleMemory(run.p.pid, 50);
  const t0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < n) await upload(run.port, size, next++);
  }));
  const during = mem.stop();
  const stopping = await stop(run);
  const bytes = fs.existsSync(file) ? fs.statSync(file).size : 0;
  let entries = 'does not parse';
  if (bytes < 512 * MiB) {
    try {
      entries = `${JSON.parse(fs.readFileSync(file, 'utf8')).log.entries.length} entries`;
    } catch (err) {
      entries = `does not parse (${err.message.slice(0, 60)})`;
    }
  }
  console.log(`har: ${n} × ${size / MiB} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s${EXTRA.length ? ` (${EXTRA.join(' ')})` : ''}`);
  console.log(`  peak RSS during the run ${fmt.mb(during)}, up to the end of stopping ${fmt.mb(stopping)}`);
  console.log(`  HAR ${fmt.mb(bytes)}, ${entries}`);
  const errLines = run.stderr().split('\n').filter((l) => /error|fail|invalid/i.test(l));
  if (errLines.length) console.log(`  stderr: ${errLines.slice(0, 3).join(' / ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function spool() {
  const n = Number(process.env.SPOOL_CONNS ?? 200);
  const size = Number(process.env.SPOOL_MIB ?? 4) * MiB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-bench-spool-'));
  const file = path.join(dir, 'out.bin');
  const run = await startListen(['--respond', 'none', '-o', file]);
  const mem = sampleMemory(run.p.pid, 50);
  const first = await connect(run.port);
  const firstBytes = Buffer.from('first connection: owns -o until it closes\n');
  await writeAll(first, firstBytes);
  await sleep(100);
  const expect = crypto.createHash('sha256').update(firstBytes);
  const bodies = [];
  for (let i = 0; i < n; i++) bodies.push(Buffer.alloc(size, (i % 250) + 1));
  const t0 = Date.now();
  // Connections open in order (the -o order), then all send at once; each closes when done.
  const socks = [];
  for (let i = 0; i < n; i++) socks.push(await connect(run.port));
  await Promise.all(socks.map(async (s, i) => {
    await writeAll(s, bodies[i]);
    s.end();
    await new Promise((r) => s.once('close', r));
  }));
  await sleep(300);
  const waiting = mem.stop();
  for (const b of bodies) expect.update(b);
  first.end();
  await new Promise((r) => first.once('close', r));
  const total = firstBytes.length + n * size;
  for (let i = 0; i < 600 && (!fs.existsSync(file) || fs.statSync(file).size < total); i++) await sleep(100);
  const stopping = await stop(run);
  const got = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  console.log(`spool: 1 open + ${n} × ${size / MiB} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  peak RSS while they wait ${fmt.mb(waiting)}, up to the end ${fmt.mb(stopping)}`);
  console.log(`  -o ${fs.statSync(file).size} bytes of ${total}; ${got === expect.digest('hex') ? 'exact, in order' : 'DIFFERENT from what was sent'}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

const wanted = process.argv.slice(2);
if (!wanted.length || wanted.includes('har')) await har();
if (!wanted.length || wanted.includes('spool')) await spool();
process.exit(0);
