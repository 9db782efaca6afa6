// Relay benchmark: wer-sniff's relay side by side with a direct connection (the limit), socat
// (default buffer and -b 131072), a minimal pipe() relay in Node and, in (b) only, mitmdump in
// reverse-proxy mode (the one peer that also parses HTTP), in one run, rounds interleaved
// (A B C D E A B C D E …), medians, and ratios paired round by round.
//   (a) bulk: 1 GiB upload (an HTTP PUT body) in 1 MiB writes into a sink that discards
//       (connect → sink received all and answered)
//   (b) 1.5 KiB POSTs over keep-alive, 16 connections, wrk, against a tiny Node HTTP upstream:
//       requests/s, p99, and the relay's CPU time per exchange (its process tree, /proc)
//   (c) peak RSS of the relay during a 1 GiB upload into an upstream throttled to 200 MB/s
//   (d) 5,000 idle connections held, then each used once (echo); relay memory afterwards
//   (e) peak RSS of one relay process through a 64 MiB warm-up and then three 1 GiB uploads in
//       a row into a sink that reads as fast as it can (each on its own connection), as PUTs,
//       as POSTs of text ("aaa…") and as POSTs of binary bytes
// Everything listens on and connects to 127.0.0.1 only. Env: BENCH_ROUNDS (default 5),
// BENCH_QUICK=1 (small sizes, 1 round: checks the bench itself, numbers meaningless).
import net from 'node:net';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import {
  HOST, sleep, median, pairedRatio, interleave, startProcess, withFileLimit, fileLimit, freePort,
  waitForPort, hasCommand, treeMemory, treeCpu, sampleMemory, markdownTable, fmt, commandVersion,
} from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => fileURLToPath(new URL(p, import.meta.url));
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const QUICK = Boolean(process.env.BENCH_QUICK); // smoke test of the bench itself, numbers meaningless
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5)));
/** Memory barely varies between rounds (see the ranges); fewer rounds keep the run near 6 min. */
const MEM_ROUNDS = { c: Math.min(ROUNDS, 3), d: 1 };
const BULK_BYTES = QUICK ? 128 * MiB : 1 * GiB;
const SLOW_BYTES = QUICK ? 128 * MiB : 1 * GiB;
const SLOW_RATE = 200e6; // bytes/s
const WRK_SECONDS = QUICK ? 1 : 4;
const WRK_CONNECTIONS = 16;
const IDLE_CONNECTIONS = QUICK ? 500 : 5_000;
const FD_LIMIT = 20_000;
const FAST_BYTES = QUICK ? 128 * MiB : 1 * GiB;
const FAST_UPLOADS = 3;
/** BENCH_ONLY=ac runs only measures (a) and (c). */
const ONLY = process.env.BENCH_ONLY ?? 'abcde';
/** The uploads of (e): BENCH_E=POST-binary runs only that one. */
const E_CASES = (process.env.BENCH_E ?? 'PUT,POST,POST-binary').split(',');

const DIRECT = 'direct';
const SOCAT = 'socat (default)';
const SOCAT_TUNED = 'socat -b 131072';
const MINIMAL = 'minimal node relay';
const MITM = 'mitmdump (reverse proxy)';

export async function run() {
  const began = Date.now();
  const notes = [];
  const log = (m) => console.error(m);
  const peers = await definePeers(notes);
  // mitmdump takes part in (b) only: it is a peer for the cost of parsing HTTP, not for bulk
  // bytes or thousands of idle sockets.
  const bytePeers = peers.filter((p) => !p.onlyRequests);
  const relays = bytePeers.filter((p) => !p.direct);
  // Memory: one socat is enough (same binary; forking 5,000 of them takes ~20 s per round).
  const memPeers = relays.filter((p) => p.name !== SOCAT);
  const wers = peers.filter((p) => p.wer);
  const sections = [];

  log(`[relay bench] peers: ${peers.map((p) => p.name).join(', ')}; ${ROUNDS} rounds`);

  // (a) bulk throughput ------------------------------------------------------------------------
  if (ONLY.includes('a')) {
    const t0 = Date.now();
    const sink = await startSink();
    const live = await startAll(bytePeers, sink.port);
    await warmUp(bytePeers, (p) => send(live.get(p.name).port, 64 * MiB), log);
    const res = await interleave(ROUNDS, bytePeers, async (p) => {
      const { ms } = await send(live.get(p.name).port, BULK_BYTES);
      return BULK_BYTES / MiB / (ms / 1000);
    }, { log });
    await stopAll(live);
    sink.close();
    sections.push(section('(a) bulk upload, 1 GiB PUT body in 1 MiB writes', 'MiB/s', 'higher is better', bytePeers, res, 0));
    log(`[relay bench] (a) done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  // (b) request rate with wrk ------------------------------------------------------------------
  if (!ONLY.includes('b')) {
    // not selected
  } else if (hasCommand('wrk')) {
    const t0 = Date.now();
    const upPort = await freePort();
    const upstream = startProcess(process.execPath, [at('./relay-load.js'), 'http', String(upPort)]);
    await waitForPort(upPort);
    const live = await startAll(peers, upPort);
    await warmUp(peers, (p) => wrk(live.get(p.name).port, 1), log);
    const res = await interleave(ROUNDS, peers, async (p) => {
      const { port, pid } = live.get(p.name);
      const cpu0 = pid ? treeCpu(pid) : NaN;
      const r = await wrk(port, WRK_SECONDS);
      // socat's forks end when wrk closes; give them time to be reaped into the parent's time.
      if (pid) await sleep(300);
      return { ...r, cpuUs: pid ? ((treeCpu(pid) - cpu0) * 1e6) / r.requests : NaN };
    }, { log });
    await stopAll(live);
    await upstream.stop();
    const pick = (k) => new Map([...res].map(([n, v]) => [n, v.map((x) => (x ? x[k] : NaN))]));
    const errs = [...res].flatMap(([n, v]) => (v.some((x) => x?.errors) ? [`${n}: ${v.map((x) => x?.errors ?? 0).join('/')} socket errors or non-2xx`] : []));
    if (errs.length) notes.push(`(b) wrk reported errors: ${errs.join('; ')}`);
    sections.push(section(`(b) 1.5 KiB POSTs, keep-alive, ${WRK_CONNECTIONS} connections, ${WRK_SECONDS} s per round (wrk)`, 'requests/s', 'higher is better', peers, pick('rps'), 0));
    sections.push(section('(b) p99 latency of the same runs', 'ms', 'lower is better', peers, pick('p99'), 2));
    const relaying = peers.filter((p) => !p.direct);
    sections.push(section('(b) CPU time of the relay per exchange, same runs (its process tree: user + system)', 'µs', 'lower is better', relaying, pick('cpuUs'), 1));
    log(`[relay bench] (b) done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } else {
    notes.push('(b) skipped: wrk is not installed');
  }

  // (c) peak RSS into a slow upstream ----------------------------------------------------------
  if (ONLY.includes('c')) {
    const t0 = Date.now();
    const sink = await startSink({ rate: SLOW_RATE });
    const res = await interleave(MEM_ROUNDS.c, memPeers, async (p) => {
      const live = await startPeer(p, sink.port);
      const sampler = sampleMemory(live.pid, 50);
      await send(live.port, SLOW_BYTES);
      const peak = sampler.stop();
      await live.stop();
      return peak;
    }, { log });
    sink.close();
    sections.push(section(`(c) peak RSS of the relay, 1 GiB upload into a 200 MB/s upstream (${MEM_ROUNDS.c} rounds)`, 'MB', 'lower is better', memPeers, scale(res, 1e-6), 1));
    log(`[relay bench] (c) done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  // (d) many idle connections ------------------------------------------------------------------
  if (ONLY.includes('d')) {
    const t0 = Date.now();
    const ownLimit = fileLimit();
    const n = Math.min(IDLE_CONNECTIONS, Math.floor((ownLimit - 500) / 2), Math.floor((FD_LIMIT - 500) / 2));
    if (n < IDLE_CONNECTIONS) notes.push(`(d) used ${n} connections, not ${IDLE_CONNECTIONS}: open-files limit of the bench process is ${ownLimit} (each connection costs it 2 descriptors)`);
    const echo = await startEcho();
    const rounds = MEM_ROUNDS.d;
    const mem = await interleave(rounds, memPeers, async (p) => {
      const t = Date.now();
      const lap = (what) => process.env.BENCH_DEBUG && log(`  (d) ${p.name}: ${what} at ${Date.now() - t} ms`);
      await echo.drained(); // the previous round's upstream sockets are gone
      lap('drained');
      const live = await startPeer(p, echo.port);
      lap('started');
      const clients = [];
      try {
        const { held, answered } = await idleRound(live.port, echo, n, clients, lap);
        if (held < n || answered < n) notes.push(`(d) ${p.name}: ${held} of ${n} connections reached the upstream, ${answered} echoed`);
        if (held < n / 2) throw new Error(`only ${held} of ${n} connections reached the upstream`);
        const m = treeMemory(live.pid); // while they are still open
        lap('measured');
        return m;
      } finally {
        for (const s of clients) s.destroy();
        await live.stop();
        lap('stopped');
      }
    }, { log });
    echo.close();
    sections.push(section(`(d) memory after ${n.toLocaleString('en-US')} idle connections, each then used once (${rounds} round${rounds > 1 ? 's' : ''})`, 'MB', 'lower is better', memPeers, scale(mem, 1e-6), 1));
    notes.push('(c), (d): memory is VmRSS of the relay process (peak: max of samples every 50 ms and VmHWM); for socat, which forks one process per connection, the sum of PSS over its process tree (RSS would count shared pages once per fork; past 200 forks PSS is read for 200 of them and scaled). socat default is left out of (c) and (d): same binary as socat -b 131072.');
    log(`[relay bench] (d) done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  // (e) peak RSS through three 1 GiB uploads into a fast upstream -----------------------------
  // PUT as in (a) (the CLI spools a PUT and keeps 1 MiB of it); POST of text, of whose 64 MiB
  // warm-up body the CLI keeps the first MiB (all it decodes); POST of binary bytes, of which it
  // keeps the first 64 KiB. The POSTs only for wer-sniff and the minimal relay.
  if (ONLY.includes('e')) {
    const t0 = Date.now();
    const sink = await startSink();
    for (const kind of E_CASES) {
      const [method, content = 'text'] = kind.split('-');
      const who = method === 'PUT' ? memPeers : memPeers.filter((p) => p.wer || p.name === MINIMAL);
      const res = await interleave(MEM_ROUNDS.c, who, async (p) => {
        const live = await startPeer(p, sink.port);
        try {
          const sampler = sampleMemory(live.pid, 50);
          await send(live.port, 64 * MiB, method, content);
          for (let i = 0; i < FAST_UPLOADS; i++) await send(live.port, FAST_BYTES, method, content);
          return sampler.stop();
        } finally {
          await live.stop();
        }
      }, { log });
      const what = method === 'PUT' ? 'PUTs' : `POSTs of ${content}`;
      const s = section(`(e) peak RSS of the relay, 64 MiB then ${FAST_UPLOADS} × 1 GiB ${what} into a fast upstream (${MEM_ROUNDS.c} rounds)`, 'MB', 'lower is better', who, scale(res, 1e-6), 1);
      sections.push(s);
      for (const w of wers) notes.push(`(e) ${what}, ${w.name}, every round: ${s.res.get(w.name).map((x) => fmt.num(x, 1)).join(', ')} MB`);
    }
    sink.close();
    log(`[relay bench] (e) done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  // report -------------------------------------------------------------------------------------
  const out = [];
  out.push(`Relay benchmark, ${new Date().toISOString()}, nproc ${os.availableParallelism?.() ?? os.cpus().length}, node ${process.version}, ${os.platform()} ${os.release()}`);
  out.push('');
  const socatVersion = hasCommand('socat') ? commandVersion('socat', ['-V'], /version/) : 'missing';
  const wrkVersion = hasCommand('wrk') ? commandVersion('wrk', ['-v']).replace(/\s*Copyright.*/, '') : 'missing';
  const mitmVersion = hasCommand('mitmdump') ? commandVersion('mitmdump', ['--version'], /Mitmproxy/) : 'mitmdump missing';
  out.push(`- ${socatVersion}; ${mitmVersion}; ${wrkVersion}; wrk -t2 -c${WRK_CONNECTIONS}`);
  out.push(`- ${ROUNDS} interleaved rounds per measure unless said; value = median; ratio columns = median of per-round ratios (peer ÷ reference, same round).`);
  for (const w of wers) out.push(`- ${w.name}: ${w.label}`);
  for (const n of notes) out.push(`- ${n}`);
  out.push('');
  for (const s of sections) out.push(s.text, '');
  for (const w of wers) out.push(targets(sections, w.name), '');
  out.push('', `Total time ${((Date.now() - began) / 1000).toFixed(0)} s.`);
  console.log(out.join('\n'));
}

// ---- peers ------------------------------------------------------------------------------------

async function definePeers(notes) {
  const peers = [{ name: DIRECT, direct: true }];
  if (hasCommand('socat')) {
    // backlog=511 like Node's default: socat's default of 5 drops SYNs in (d).
    const listen = (p) => `TCP-LISTEN:${p},fork,reuseaddr,bind=${HOST},backlog=511`;
    peers.push({ name: SOCAT, cmd: 'socat', args: (p, q) => [listen(p), `TCP:${HOST}:${q}`] });
    peers.push({ name: SOCAT_TUNED, cmd: 'socat', args: (p, q) => ['-b', '131072', listen(p), `TCP:${HOST}:${q}`] });
  } else {
    notes.push('socat is not installed: its columns are empty');
  }
  peers.push({ name: MINIMAL, cmd: process.execPath, args: (p, q) => [at('./minimal-relay.js'), String(p), String(q)] });
  if (hasCommand('mitmdump')) {
    peers.push({
      name: MITM, onlyRequests: true, startMs: 60_000, cmd: 'mitmdump',
      args: (p, q) => ['--mode', `reverse:http://${HOST}:${q}`, '--listen-host', HOST, '-p', String(p), '-q'],
    });
  } else {
    notes.push('mitmdump is not installed (Debian: apt-get install mitmproxy): its rows in (b) are missing');
  }
  peers.push(...(await werPeers(notes)));
  return peers;
}

/** The library through bench/relay-lib-runner.js, and the CLI when it is built and starts. */
async function werPeers(notes) {
  const lib = {
    name: 'wer-sniff relay (library)',
    wer: true,
    label: 'library: `startRelay` with a no-op onChunk, via bench/relay-lib-runner.js',
    cmd: process.execPath,
    args: (p, q) => [at('./relay-lib-runner.js'), String(p), String(q)],
  };
  if (!existsSync(`${ROOT}/dist/cli/main.js`)) {
    notes.push('dist/cli/main.js is not built: only the library relay was measured (bench/relay-lib-runner.js)');
    return [lib];
  }
  const bin = `${ROOT}/bin/wer-sniff.js`;
  const help = await new Promise((r) => execFile(process.execPath, [bin, 'relay', '--help'], (e, so, se) => r(`${so}${se}`)));
  const bind = /--bind\b/.test(help) ? ['--bind', HOST] : [];
  const cli = {
    name: 'wer-sniff relay (CLI)',
    wer: true,
    label: `CLI: \`node bin/wer-sniff.js relay --to ${HOST}:q -p p${bind.length ? ` --bind ${HOST}` : ''}\`, default output, stdout to /dev/null`,
    cmd: process.execPath,
    args: (p, q) => [bin, 'relay', '--to', `${HOST}:${q}`, '-p', String(p), ...bind],
  };
  try {
    const probe = await startPeer(cli, await freePort(), 5_000);
    await probe.stop();
    return [lib, cli];
  } catch (err) {
    notes.push(`the CLI did not start a relay (${err.message}): only the library relay was measured`);
    return [lib];
  }
}

async function startPeer(peer, upstreamPort, timeoutMs = peer.startMs ?? 10_000) {
  if (peer.direct) return { port: upstreamPort, pid: undefined, stop: async () => {} };
  const port = await freePort();
  const [cmd, args] = withFileLimit(peer.cmd, peer.args(port, upstreamPort), FD_LIMIT);
  const proc = startProcess(cmd, args, { cwd: ROOT });
  try {
    await Promise.race([
      waitForPort(port, timeoutMs),
      proc.exited.then(() => {
        throw new Error(`${peer.name} exited with ${proc.child.exitCode ?? proc.child.signalCode}`);
      }),
    ]);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { port, pid: proc.pid, stop: () => proc.stop() };
}

async function warmUp(peers, fn, log) {
  for (const p of peers) {
    try {
      await fn(p);
    } catch (err) {
      log(`  ${p.name}, warm-up: ${err.message}`);
    }
  }
}

async function startAll(peers, upstreamPort) {
  const live = new Map();
  for (const p of peers) live.set(p.name, await startPeer(p, upstreamPort));
  return live;
}

async function stopAll(live) {
  for (const l of live.values()) await l.stop();
}

// ---- load ---------------------------------------------------------------------------------------

/** Runs the sender child; resolves { ms } from its connect to the sink's ack. */
function send(port, bytes, method = 'PUT', content = 'text') {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [at('./relay-load.js'), 'send', String(port), String(bytes), method, content], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err || !stdout.trim()) return reject(new Error(`sender failed: ${stderr.trim() || err?.message || 'connection closed without ack'}`));
      resolve(JSON.parse(stdout));
    });
  });
}

/**
 * Sink upstream for the sender's `PUT`: reads the head, counts Content-Length body bytes, then
 * answers 200. With `rate` (bytes/s) it reads no faster than that, throttled by pause/resume.
 */
async function startSink({ rate } = {}) {
  const sockets = new Set();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    let head = '';
    let expect = Infinity;
    let got = 0;
    const start = Date.now();
    s.on('data', (b) => {
      if (expect === Infinity) {
        head += b.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        expect = Number(head.match(/content-length:\s*(\d+)/i)?.[1] ?? 0);
        got = head.length - end - 4;
        head = '';
      } else {
        got += b.length;
      }
      if (got >= expect) return void s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      if (rate) {
        const ahead = (got / rate) * 1000 - (Date.now() - start);
        if (ahead > 4) {
          s.pause();
          setTimeout(() => s.resume(), ahead);
        }
      }
    });
    s.on('end', () => s.end());
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: server.address().port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** wrk run → { rps, requests, p99 (ms), errors }. */
function wrk(port, seconds) {
  const args = ['-t2', `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', at('./relay-post.lua'), `http://${HOST}:${port}/`];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (err, out) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}`));
      const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
      const requests = Number(out.match(/(\d+) requests in/)?.[1]);
      const m = out.match(/^\s+99%\s+([\d.]+)(us|ms|s)\b/m);
      const p99 = m ? Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2]] : NaN;
      const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
      const errors = non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
      resolve({ rps, requests, p99, errors });
    });
  });
}

/** Echo upstream for (d); counts connections currently open. */
async function startEcho() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', (b) => s.write(b));
  });
  server.listen({ port: 0, host: HOST, backlog: 4096 });
  await once(server, 'listening');
  return {
    port: server.address().port,
    open: () => sockets.size,
    async drained() {
      for (let i = 0; sockets.size > 0 && i < 500; i++) await sleep(20);
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Opens n connections into `clients` (200 connecting at a time), waits until the upstream
 * holds them (until no progress for 5 s), holds them 1 s, then sends 16 bytes on each and
 * waits (10 s at most) for the echoes. Returns how many were held and answered. */
async function idleRound(port, echo, n, clients, lap) {
  let next = 0;
  const opener = async () => {
    while (next < n) {
      next++;
      const s = net.connect(port, HOST);
      s.on('error', () => {});
      clients.push(s);
      await Promise.race([once(s, 'connect'), sleep(10_000)]);
    }
  };
  await Promise.all(Array.from({ length: 200 }, opener));
  lap('connected');
  for (let last = -1, since = Date.now(); echo.open() < n; await sleep(20)) {
    if (echo.open() !== last) [last, since] = [echo.open(), Date.now()];
    else if (Date.now() - since > 5_000) break;
  }
  const held = echo.open();
  lap(`upstream holds ${held}`);
  await sleep(1_000);
  let answered = 0;
  const deadline = sleep(10_000);
  await Promise.race([
    deadline,
    Promise.all(
      clients.map(async (s, i) => {
        const msg = `ping ${String(i).padStart(10, '0')}\n`;
        const got = new Promise((resolve) => {
          let text = '';
          const onData = (b) => {
            text += b;
            if (text.length >= msg.length) {
              s.off('data', onData);
              resolve(text);
            }
          };
          s.on('data', onData);
        });
        s.write(msg);
        if ((await got) === msg) answered++;
      }),
    ),
  ]);
  await sleep(200); // let the relay settle before reading its memory
  return { held, answered };
}

// ---- report -------------------------------------------------------------------------------------

function scale(res, k) {
  return new Map([...res].map(([n, v]) => [n, v.map((x) => x * k)]));
}

function section(title, unit, better, peers, res, digits) {
  const refs = [
    ['× direct', DIRECT],
    ['× socat -b 131072', SOCAT_TUNED],
    ['× socat default', SOCAT],
    ['× minimal node', MINIMAL],
    ['× mitmdump', MITM],
  ].filter(([, ref]) => res.has(ref));
  const rows = peers.map((p) => {
    const v = res.get(p.name);
    const finite = v.filter(Number.isFinite);
    return [
      p.wer ? `**${p.name}**` : p.name,
      fmt.num(median(v), digits),
      finite.length ? `${fmt.num(Math.min(...finite), digits)}–${fmt.num(Math.max(...finite), digits)}` : 'n/a',
      ...refs.map(([, ref]) => (ref === p.name ? '1.00×' : fmt.ratio(pairedRatio(v, res.get(ref))))),
    ];
  });
  const text = `### ${title}\n\n${unit}, ${better}\n\n${markdownTable(['peer', `median ${unit}`, 'range', ...refs.map(([h]) => h)], rows)}`;
  return { title, res, text };
}

function targets(sections, wer) {
  const find = (prefix) => sections.find((s) => s.title.startsWith(prefix));
  const med = (s) => (s ? median(s.res.get(wer)) : NaN);
  const lines = [`### Targets: ${wer}, ratios from this run`, ''];
  const check = (label, ok, detail) => lines.push(`- ${ok === undefined ? '?' : ok ? 'PASS' : 'MISS'} ${label}: ${detail}`);
  const ratio = (s, ref) => (s && s.res.has(ref) ? pairedRatio(s.res.get(wer), s.res.get(ref)) : NaN);
  const cmp = (x, op, t) => (Number.isFinite(x) ? (op === '>=' ? x >= t : x <= t) : undefined);
  const a = find('(a)');
  const rt = ratio(a, SOCAT_TUNED);
  const rm = ratio(a, MINIMAL);
  check('bulk ≥ 1.0 × tuned socat and ≥ 0.85 × minimal Node relay', cmp(rt, '>=', 1) === undefined ? undefined : cmp(rt, '>=', 1) && cmp(rm, '>=', 0.85), `${fmt.ratio(rt)} tuned socat, ${fmt.ratio(rm)} minimal node`);
  const b = find('(b) 1.5');
  const bp = find('(b) p99');
  const bc = find('(b) CPU');
  if (b) {
    const rs = ratio(b, SOCAT);
    const rm2 = ratio(b, MINIMAL);
    const p99 = med(bp);
    const us = med(bc);
    check('CPU per exchange ≤ 45 µs', cmp(us, '<=', 45), `${fmt.num(us, 1)} µs, ${fmt.ratio(ratio(bc, SOCAT))} socat (default), ${fmt.ratio(ratio(bc, MINIMAL))} minimal node, ${fmt.ratio(ratio(bc, MITM))} mitmdump`);
    check('request rate ≥ 1.3 × socat and ≥ 0.8 × minimal Node relay, p99 ≤ 3 ms', cmp(rs, '>=', 1.3) === undefined ? undefined : cmp(rs, '>=', 1.3) && cmp(rm2, '>=', 0.8) && cmp(p99, '<=', 3), `${fmt.ratio(rs)} socat (default), ${fmt.ratio(ratio(b, SOCAT_TUNED))} socat -b 131072, ${fmt.ratio(rm2)} minimal node, p99 ${fmt.num(p99, 2)} ms`);
  }
  const c = med(find('(c)'));
  check('peak RSS into a slow upstream ≤ 120 MB', cmp(c, '<=', 120), `${fmt.num(c, 1)} MB`);
  for (const e of sections.filter((x) => x.title.startsWith('(e)'))) {
    const eMax = Math.max(...e.res.get(wer).filter(Number.isFinite));
    check(`${e.title.slice(4, e.title.indexOf(' into'))}: ≤ 150 MB in every round`, cmp(eMax, '<=', 150), `${fmt.num(eMax, 1)} MB at most`);
  }
  const d = med(find('(d)'));
  check('idle connections RSS ≤ 250 MB', cmp(d, '<=', 250), `${fmt.num(d, 1)} MB`);
  return lines.join('\n');
}
