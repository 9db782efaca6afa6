// `--save-dir` under many concurrent reports and a low open-file limit (red-team defect: reports
// were lost to EMFILE and the run still exited 0). Starts `wer-sniff listen --save-dir` under
// `ulimit -n <limit>` (bash, Linux/macOS), runs <count> clients at once — each sends a level-1
// report, reads the answer and PUTs the CAB to its DumpFile (bench/soak-clients.js) — then
// stops it with SIGINT and counts complete folders. A client whose connection is dropped before
// its answer (the listener itself is out of descriptors, or too busy to answer within the
// client's 15 s) tries again after a pause that grows to 2 s, until --patience seconds have
// passed: Windows keeps an unsent report queued and tries again later, so a client turned away
// has lost nothing yet; a report is lost when the listener answered it and did not save it.
// The clients run in this process, with its own (higher) limit; only the listener gets <limit>.
// Nothing may be lost: every CAB a client had answered 200 is some folder's report.cab, byte for
// byte, and the -o capture holds each connection's bytes exactly as its client sent them
// (whole for the answered ones, a prefix for the cut ones, nothing foreign).
// Run outside npm test:  npm run build && node bench/save-dir-load.js [--count 400] [--limit 256]
// [--patience 600]; LISTEN_NODE_ARGS="--cpu-prof" profiles the listener.
// (the case: --count 5000 --limit 1024)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runClient } from './soak-clients.js';
import { numberOption as opt } from './lib.js';

const COUNT = opt('count', 400);
const LIMIT = opt('limit', 256);
const PATIENCE_S = opt('patience', 600);
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wer-sniff.js');
const FILES = ['level1.http', 'report.xml', 'report.json', 'response.txt', 'report.cab', 'cab'];

/** Why attempts failed, with counts (this run). */
const attemptErrors = new Map();
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const POST = Buffer.from('POST /stage2.htm HTTP/1.1\r\n', 'latin1');

/** One report, tried again (after a pause) while the listener drops the connection unanswered.
 * `sent`: the bytes of every attempt; `cab`: the CAB of the answered one. */
async function report(port, n, deadline) {
  const sent = [];
  for (let attempt = 1; ; attempt++) {
    const rec = await runClient('good', port, n, Math.random);
    if (rec.sent.length) sent.push(rec.sent);
    if (rec.error) attemptErrors.set(rec.error, (attemptErrors.get(rec.error) ?? 0) + 1);
    if (rec.reports === 1 && rec.cabs === 1) return { ok: true, attempts: attempt, sent, cab: cabOf(rec.sent), whole: rec.sent };
    if (performance.now() > deadline) return { ok: false, attempts: attempt, error: rec.error, sent };
    await new Promise((r) => setTimeout(r, Math.min(2000, 50 * attempt) * (0.5 + Math.random())));
  }
}

/** The CAB in what a good client sent: the body of its PUT. */
function cabOf(sent) {
  const put = sent.indexOf('PUT ', 0, 'latin1');
  return sent.subarray(sent.indexOf('\r\n\r\n', put, 'latin1') + 4);
}

/** The level-1 request a connection's bytes start with (its key: each report is unique). */
function level1Of(bytes) {
  const end = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  const m = /content-length: *(\d+)/i.exec(bytes.subarray(0, Math.max(0, end)).toString('latin1'));
  return end < 0 || !m ? undefined : bytes.subarray(0, end + 4 + Number(m[1]));
}

/** Checks the -o capture against what the clients sent: each connection starts with its one
 * level-1 POST, and connections stay whole and in one piece in the file (raw.ts). Two clients
 * may send the same report; their PUTs differ (each has its own DumpFile). */
function checkCapture(capture, results) {
  const byKey = new Map();
  for (const r of results) {
    for (const s of r.sent) {
      const l1 = level1Of(s);
      if (!l1) continue;
      const key = sha(l1);
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key).push(s);
    }
  }
  const starts = [];
  for (let at = capture.indexOf(POST); at >= 0; at = capture.indexOf(POST, at + 1)) starts.push(at);
  let foreign = starts.length ? starts[0] : capture.length; // bytes before the first POST
  const blocks = new Set();
  starts.forEach((at, i) => {
    const block = capture.subarray(at, starts[i + 1] ?? capture.length);
    const l1 = level1Of(block);
    const senders = (l1 && byKey.get(sha(l1))) || [];
    if (senders.some((s) => block.length <= s.length && s.subarray(0, block.length).equals(block))) blocks.add(sha(block));
    else {
      foreign += block.length;
      if (process.env.KEEP) console.error(`foreign block at ${at}: ${block.length} bytes`, JSON.stringify(block.subarray(0, 120).toString('latin1')));
    }
  });
  const answered = results.filter((r) => r.ok);
  return { captureBytes: capture.length, foreignBytes: foreign, answeredNotInCapture: answered.filter((r) => !blocks.has(sha(r.whole))).length };
}

export async function run({ count = COUNT, limit = LIMIT, patience = PATIENCE_S } = {}) {
  attemptErrors.clear();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-load-'));
  const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "${process.execPath}" ${process.env.LISTEN_NODE_ARGS ?? ""} "${BIN}" listen -p 0 -b 127.0.0.1 --save-dir "${dir}/saved" -o "${dir}/cap.bin"`], { stdio: ['ignore', 'ignore', 'pipe'] });
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
  const deadline = started + patience * 1000;
  const results = await Promise.all(Array.from({ length: count }, (_, i) => report(port, i + 1, deadline)));
  const seconds = (performance.now() - started) / 1000;
  const stopping = performance.now();
  child.kill('SIGINT');
  const code = await exited;
  const stopSeconds = (performance.now() - stopping) / 1000;
  const folders = fs.readdirSync(path.join(dir, 'saved'));
  const complete = folders.filter((f) => FILES.every((name) => fs.existsSync(path.join(dir, 'saved', f, name))));
  const leftovers = folders.flatMap((f) => fs.readdirSync(path.join(dir, 'saved', f)).filter((n) => /\.(part|tmp)$/.test(n)));
  const lines = stderr.split('\n');
  const cabs = new Set(complete.map((f) => sha(fs.readFileSync(path.join(dir, 'saved', f, 'report.cab')))));
  const figures = {
    count, limit, seconds: Number(seconds.toFixed(1)), stopSeconds: Number(stopSeconds.toFixed(1)),
    answered: results.filter((r) => r.ok).length,
    retried: results.filter((r) => r.attempts > 1).length,
    maxAttempts: results.reduce((m, r) => Math.max(m, r.attempts), 0),
    clientErrors: results.filter((r) => !r.ok).length,
    attemptErrors: Object.fromEntries(attemptErrors),
    folders: folders.length, complete: complete.length, leftovers: leftovers.length,
    emfileLines: lines.filter((l) => /EMFILE|ENFILE/.test(l)).length,
    turnedAway: lines.filter((l) => /refused .*out of file descriptors/.test(l)).length,
    answeredCabNotSaved: results.filter((r) => r.ok && !cabs.has(sha(r.cab))).length,
    ...checkCapture(fs.readFileSync(path.join(dir, 'cap.bin')), results),
    exitCode: code,
    summary: lines.find((l) => l.startsWith('stopped:')),
    lastLine: lines.filter(Boolean).pop(),
  };
  if (process.env.KEEP) console.error(`kept ${dir}`, stderr.slice(0, 4000), results.filter((r) => !r.ok).slice(0, 5).map((r) => ({ attempts: r.attempts, error: r.error })));
  else fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 2));
