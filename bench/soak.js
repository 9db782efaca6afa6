// Soak test: `npm run soak -- --seconds 600 [--clients 8] [--rate 20]`. Starts
// `wer-sniff listen -o capture.bin --save-dir saved/ --json` on 127.0.0.1 and runs `--clients`
// concurrent clients (bench/soak-clients.js: well-formed level-1 reports + CAB uploads,
// malformed requests, clients that abort with FIN or RST) at about `--rate` connections a
// second for `--seconds` (and, with `--min-connections N`, on until N connections were made, at
// most a minute longer: a loaded machine makes each one slower). Then checks: every report answered is in --json and in --save-dir,
// every CAB acknowledged was saved, each connection's bytes in -o equal what it sent (a prefix
// for RST aborts: the kernel drops unread data on a reset), RSS of the last third within
// RSS_BOUND_MB of the first, and no file descriptor leaked (Linux). Exit 0 when all hold.
// Bounded in time and count, loopback only.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClient } from './soak-clients.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'wer-sniff.js');
/** RSS may grow this much from the first third of the run to the last (V8 settles its heaps early). */
export const RSS_BOUND_MB = 32;
const MIX = [['good', 0.75], ['malformed', 0.15], ['abort', 0.1]];

function arg(name, def, max) {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? def : Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new Error(`--${name} must be a number in (0, ${max}]`);
  return v;
}
const SECONDS = arg('seconds', 60, 3600);
const CLIENTS = arg('clients', 8, 32);
const RATE = arg('rate', 20, 200);
const MIN_CONNECTIONS = process.argv.includes('--min-connections') ? arg('min-connections', 0, 10_000) : 0;
const MAX_CONNECTIONS = Math.max(MIN_CONNECTIONS, Math.ceil(SECONDS * RATE * 1.1));
/** How much longer than --seconds the run may go on to reach --min-connections. */
const MIN_CONNECTIONS_GRACE_MS = 60_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function rssMb(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {}
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
  } catch {
    return NaN;
  }
}

function fdCount(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/**
 * -o keeps each connection contiguous, in about the order they opened: the first connection to
 * send owns the file, later ones follow as earlier ones close (sinks/raw.ts). So each next
 * segment is one of the first few connections not yet found, in open order. A connection is
 * one of the clients that used its peer port (a port freed by a reset is reused at once); a
 * client that reset right after connecting can be gone before the listener learned its address
 * (peer `?:?`), and may be any client left over.
 */
function checkCapture(cap, opens, closes, results) {
  const byPort = new Map();
  for (const r of results) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
  const left = new Set(results);
  const pending = opens.map((o) => ({ len: closes.get(o.conn) ?? 0, port: Number(o.peer.split(':').at(-1)) }));
  const same = (seg, r, prefix) => (prefix ? r.reset && seg.length <= r.sent.length && seg.equals(r.sent.subarray(0, seg.length)) : seg.equals(r.sent));
  const find = (p, seg, prefix) => {
    const pool = Number.isInteger(p.port) ? byPort.get(p.port) ?? [] : left;
    for (const r of pool) if (left.has(r) && same(seg, r, prefix)) return r;
    return undefined;
  };
  let off = 0;
  let prefixOnly = 0;
  while (pending.length) {
    let hit = -1;
    for (const prefix of [false, true]) {
      hit = pending.slice(0, 64).findIndex((p) => {
        const r = find(p, cap.subarray(off, off + p.len), prefix);
        if (r) left.delete(r);
        return r !== undefined;
      });
      if (hit >= 0) {
        if (prefix) prefixOnly++;
        break;
      }
    }
    if (hit < 0) break;
    off += pending[hit].len;
    pending.splice(hit, 1);
  }
  if (pending.length) process.stderr.write(`soak: -o segment at offset ${off} matches no client among the next ${Math.min(64, pending.length)} connections\n`);
  return { mismatched: pending.length, prefixOnly, consumed: off };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-soak-'));
  const capture = path.join(dir, 'capture.bin');
  const saved = path.join(dir, 'saved');
  const eventsFile = path.join(dir, 'events.ndjson');
  const out = fs.openSync(eventsFile, 'w');
  const child = spawn(process.execPath, [BIN, 'listen', '-p', '0', '-b', '127.0.0.1', '-o', capture, '--save-dir', saved, '--json'], { stdio: ['ignore', out, 'pipe'] });
  fs.closeSync(out);
  let stderr = '';
  child.stderr.on('data', (b) => (stderr = (stderr + b.toString()).slice(-65536)));
  const exited = new Promise((r) => child.on('close', r));
  let port;
  for (let i = 0; i < 400 && !port; i++) {
    port = Number(/listening on [^\s]+:(\d+)/.exec(stderr)?.[1]) || undefined;
    await sleep(25);
  }
  if (!port) throw new Error(`listen did not start: ${stderr}`);
  // The baseline once the listener has settled (its CAB worker thread starting up opens and
  // closes descriptors): two equal counts 100 ms apart, or what there is after 3 s.
  await sleep(300);
  let fdStart = fdCount(child.pid);
  for (let i = 0; i < 30; i++) {
    await sleep(100);
    const now = fdCount(child.pid);
    if (now === fdStart) break;
    fdStart = now;
  }
  const rss = [];
  const sampler = setInterval(() => rss.push(rssMb(child.pid)), Math.max(1000, (SECONDS * 1000) / 150));
  rss.push(rssMb(child.pid));

  const started = Date.now();
  const end = started + SECONDS * 1000;
  const results = [];
  let n = 0;
  const gap = (CLIENTS / RATE) * 1000;
  const worker = async (w) => {
    const rand = rng(0x5eed + w);
    let next = Date.now();
    const goOn = () => n < MAX_CONNECTIONS && (Date.now() < end || (n < MIN_CONNECTIONS && Date.now() < end + MIN_CONNECTIONS_GRACE_MS));
    while (goOn()) {
      const r = rand();
      let acc = 0;
      const kind = MIX.find(([, p]) => (acc += p) > r)?.[0] ?? 'good';
      results.push({ kind, ...(await runClient(kind, port, n++, rand)) });
      next += gap;
      await sleep(Math.max(0, next - Date.now()));
    }
  };
  const progress = setInterval(() => process.stderr.write(`soak: ${Math.round((Date.now() - started) / 1000)}s, ${results.length} connections, RSS ${rss.at(-1)?.toFixed(1)} MB\n`), 30_000);
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  clearInterval(progress);
  const elapsed = (Date.now() - started) / 1000;
  await sleep(1500); // let the last closes and folder writes finish
  clearInterval(sampler);
  // A loaded machine may still be finishing a write: a leak stays, a late close does not.
  let fdEnd = fdCount(child.pid);
  for (const give = Date.now() + 15_000; fdEnd > fdStart && Date.now() < give; fdEnd = fdCount(child.pid)) await sleep(100);
  child.kill('SIGINT');
  const code = await exited;

  // ---- checks ----
  const events = fs.readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const opens = events.filter((e) => e.type === 'open');
  const closes = new Map(events.filter((e) => e.type === 'close').map((e) => [e.conn, e.bytesFromClient]));
  const cap = fs.readFileSync(capture);
  const { mismatched, prefixOnly, consumed } = checkCapture(cap, opens, closes, results);
  const folders = fs.existsSync(saved) ? fs.readdirSync(saved) : [];
  const has = (f) => folders.filter((d) => fs.existsSync(path.join(saved, d, f))).length;
  const sum = (k) => results.reduce((a, r) => a + r[k], 0);
  const count = (kind) => results.filter((r) => r.kind === kind).length;
  const third = Math.max(1, Math.floor(rss.length / 3));
  const rssFirst = median(rss.slice(0, third));
  const rssLast = median(rss.slice(-third));
  const sentBytes = results.reduce((a, r) => a + r.sent.length, 0);
  const fig = {
    seconds: Math.round(elapsed), clients: CLIENTS, connections: results.length, good: count('good'),
    malformed: count('malformed'), aborted: count('abort'), clientErrors: results.filter((r) => r.kind === 'good' && r.error).length,
    reportsSent: sum('reports'), reportsInJson: events.filter((e) => e.type === 'report').length, reportFolders: has('report.json'),
    cabsAcknowledged: sum('cabs'), cabsSaved: has('report.cab'), bytesSent: sentBytes, bytesCaptured: cap.length,
    connectionsCaptured: opens.length, connectionsExact: opens.length - mismatched - prefixOnly, resetPrefixes: prefixOnly, mismatched,
    rssFirstThirdMb: +rssFirst.toFixed(1), rssLastThirdMb: +rssLast.toFixed(1), rssMaxMb: +Math.max(...rss).toFixed(1),
    fdStart, fdEnd, exitCode: code,
  };
  const checks = [
    ['listen exited 0 after SIGINT', code === 0],
    ['every good client was answered', fig.clientErrors === 0],
    ['reports in --json = reports sent', fig.reportsInJson === fig.reportsSent],
    ['report folders = reports sent', fig.reportFolders === fig.reportsSent],
    ['CABs saved = CABs acknowledged', fig.cabsSaved === fig.cabsAcknowledged],
    ['every connection captured', fig.connectionsCaptured === results.length],
    ['-o bytes = sent bytes per connection (RST: a prefix)', mismatched === 0 && consumed === cap.length],
    [`RSS last third ≤ first third + ${RSS_BOUND_MB} MB`, rssLast <= rssFirst + RSS_BOUND_MB],
    ['no file descriptor leaked', fdStart === undefined || fdEnd <= fdStart],
  ];
  for (const [k, v] of Object.entries(fig)) process.stdout.write(`${k.padEnd(22)} ${v}\n`);
  for (const [what, ok] of checks) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ ...fig, ok: checks.every(([, ok]) => ok), failed: checks.filter(([, ok]) => !ok).map(([what]) => what) }) + '\n');
  if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept ${dir}\n`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`soak: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
