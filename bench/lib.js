// Shared helpers for the benchmarks: statistics, interleaved rounds, child processes started
// and stopped by PID (their own process group), waiting for ports, memory of a process tree,
// and Markdown tables. Loopback only: every helper connects to 127.0.0.1.
import net from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';

export const HOST = '127.0.0.1';
/** The number after `--<name>` on the command line, or `dflt` when the flag is absent. */
export function numberOption(name, dflt, argv = process.argv) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- statistics ----------------------------------------------------------------------------

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Median of the per-round ratios a[i]/b[i]: pairs come from the same round, so slow phases
 * of a noisy machine hit both sides of each ratio. */
export function pairedRatio(a, b) {
  const r = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) r.push(a[i] / b[i]);
  return median(r);
}

/**
 * Runs `measure(peer, round)` for every peer, interleaved: A B C … A B C … for `rounds`
 * rounds. Returns Map(peer name → array of results, index = round). A failed measure is
 * recorded as NaN and its error printed once.
 */
export async function interleave(rounds, peers, measure, { log = () => {} } = {}) {
  const results = new Map(peers.map((p) => [p.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const peer of peers) {
      let value;
      try {
        value = await measure(peer, round);
      } catch (err) {
        log(`  ${peer.name}, round ${round + 1}: ${err.message}`);
        value = NaN;
      }
      results.get(peer.name).push(value);
    }
  }
  return results;
}

// ---- processes -----------------------------------------------------------------------------

/**
 * Starts a command in its own process group (so forking servers like socat can be stopped
 * with their children) and returns { pid, child, stop() }. `stop` signals only that group.
 */
export function startProcess(command, args, { cwd, env, stdout = 'ignore', stderr = 'ignore' } = {}) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', stdout, stderr] });
  const exited = once(child, 'exit').catch(() => {});
  child.on('error', () => {});
  started.add(child.pid);
  void exited.then(() => started.delete(child.pid));
  return {
    pid: child.pid,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child.pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2_000);
      await exited;
      clearTimeout(t);
      killGroup(child.pid, 'SIGKILL'); // stragglers of the group (socat's forks)
    },
  };
}

/** Groups still running; killed if the bench exits early (crash, Ctrl-C). */
const started = new Set();
process.on('exit', () => started.forEach((pid) => killGroup(pid, 'SIGKILL')));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    started.forEach((pid) => killGroup(pid, 'SIGKILL'));
    process.exit(130);
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command in `sh` with the open-files limit raised as far as allowed. */
export function withFileLimit(command, args, limit) {
  const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  return ['sh', ['-c', `ulimit -n ${limit} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${[command, ...args].map(q).join(' ')}`]];
}

/** Open-files limit of this process (Linux), or of a fresh shell elsewhere. */
export function fileLimit(pid = 'self') {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line.split(/\s+/)[3]);
  } catch {
    return Number(execFileSync('sh', ['-c', 'ulimit -n']).toString());
  }
}

export async function freePort() {
  const srv = net.createServer().listen(0, HOST);
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resolves once something accepts connections on HOST:port. */
export async function waitForPort(port, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, HOST);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on ${HOST}:${port} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ---- memory --------------------------------------------------------------------------------

const isLinux = process.platform === 'linux';

/** { rss, hwm } in bytes: VmRSS and VmHWM (peak) from /proc, or `ps` rss elsewhere (hwm = rss). */
export function readMemory(pid) {
  if (isLinux) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
      return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
    } catch {
      return { rss: NaN, hwm: NaN };
    }
  }
  try {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim());
    return { rss: kb * 1024, hwm: kb * 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** PSS in bytes (shared pages split between sharers): the honest sum over forked workers. */
export function readPss(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(text.match(/^Pss:\s+(\d+) kB/m)[1]) * 1024;
  } catch {
    return readMemory(pid).rss;
  }
}

/** `pid` and all its descendants (Linux; elsewhere just `pid`). */
export function processTree(pid) {
  if (!isLinux) return [pid];
  const out = [];
  const walk = (p) => {
    out.push(p);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids = '';
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const k of kids.split(' ').filter(Boolean)) walk(Number(k));
    }
  };
  walk(pid);
  return out;
}

/** CPU time (user + system) of a process tree in seconds: each live process's own time plus
 * what its reaped children used (socat's finished forks). Linux only; NaN elsewhere. */
export function treeCpu(pid) {
  if (!isLinux) return NaN;
  const tick = clockTick();
  let sum = 0;
  for (const p of processTree(pid)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      continue; // gone between listing and reading
    }
    // Fields after the command name (which may hold spaces): state is field 3, utime 14.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    sum += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return sum / tick;
}

let ticks;
function clockTick() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Memory of a process tree: one process → its RSS; several (forks) → sum of PSS. Past
 * `maxRead` processes (5,000 socat forks), PSS is read for an even sample of them and scaled:
 * reading every smaps_rollup takes seconds. */
export function treeMemory(pid, maxRead = 200) {
  const pids = processTree(pid);
  if (pids.length === 1) return readMemory(pid).rss;
  const [root, ...kids] = pids;
  const step = Math.max(1, kids.length / maxRead);
  let sum = 0;
  let read = 0;
  for (let i = 0; i < kids.length; i += step) {
    const m = readPss(kids[Math.floor(i)]);
    if (!Number.isFinite(m)) continue; // forks come and go while we read
    sum += m;
    read++;
  }
  const rootPss = readPss(root);
  return (Number.isFinite(rootPss) ? rootPss : 0) + (read ? (sum / read) * kids.length : 0);
}

/** Samples treeMemory(pid) every `intervalMs`; stop() returns the peak, including the root's
 * own VmHWM (which catches spikes between samples). */
export function sampleMemory(pid, intervalMs = 50) {
  let peak = 0;
  const take = () => {
    const m = treeMemory(pid);
    if (m > peak) peak = m;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const hwm = readMemory(pid).hwm;
      return Math.max(peak, Number.isFinite(hwm) ? hwm : 0);
    },
  };
}

// ---- output --------------------------------------------------------------------------------

export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmt = {
  num: (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a'),
  ratio: (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–'),
  mb: (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a'),
};

/** First output line of `cmd args` matching `pick` (some tools exit non-zero on -v). */
export function commandVersion(cmd, args = ['-V'], pick = /\S/) {
  let text;
  try {
    text = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    text = `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
  return text.split('\n').find((l) => pick.test(l))?.trim() ?? `${cmd} (version unknown)`;
}

// ---- uploads from a process of their own ---------------------------------------------------

/** Peak RSS (VmHWM) of a process, in bytes; NaN where /proc has none. */
export function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Writes a request to send later with upload(): written before the clients are timed, since
 * a synchronous write of tens of MB in their process would add to their waits. */
export function prepareUpload(bytes, file) {
  writeFileSync(file, bytes);
  return file;
}

/** Sends the prepared file from a process of its own (writing tens of MB from the measuring
 * process delayed its own reading of answers by up to ~230 ms); resolves with the time to the
 * first byte of the answer and its status line. The file is removed afterwards. */
export async function upload(port, file) {
  const script = `
    const net = require('node:net'), fs = require('node:fs');
    const bytes = fs.readFileSync(process.argv[2]);
    let t;
    const s = net.connect(Number(process.argv[1]), '127.0.0.1', () => { t = Date.now(); s.write(bytes); });
    s.once('data', (b) => { process.stdout.write((Date.now() - t) + ' ' + b.toString('latin1').split('\\r\\n')[0]); s.destroy(); });
    s.on('error', () => {});`;
  const child = spawn(process.execPath, ['-e', script, String(port), file], { stdio: ['ignore', 'pipe', 'ignore'] });
  let reply = '';
  child.stdout.on('data', (b) => (reply += b));
  await once(child, 'exit');
  rmSync(file, { force: true });
  const m = /^(\d+) (.*)$/.exec(reply);
  return m ? { ms: Number(m[1]), reply: m[2] } : { ms: NaN, reply: 'no answer' };
}
