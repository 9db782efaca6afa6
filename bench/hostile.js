// Figures for the red team's hostile inputs (not part of npm test: each case costs seconds):
//   chunks   an 8 MB body as 8 million one-byte chunks (Transfer-Encoding: chunked, 46 MiB on
//            the wire), through `decode` of a file and through a live `listen`
//   pcap     130,000 segments behind a missing first byte (9.2 MB pcap) through `decode` and
//            `check`; 20,000 conflicting retransmissions through `decode`
//   report   a level-1 report with 130,000 PARAMETERs / unknown attributes sent to `listen`
// For each: wall time, CPU time and peak RSS of the wer-sniff process, and what came out.
// Usage: npm run build && node bench/hostile.js [chunks|pcap|report ...] [--bin <wer-sniff.js>]
// (--bin runs another build, e.g. the code before a fix, with the same inputs.)
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { segmentsBehindHole, conflictingRetransmissions } from '../dist/tools/fuzz/hostile-pcap.js';
import { encodeUtf16, toFiletime, writeLevel1Request, writeReportXml } from '../dist/domain/report/report-writer.js';

const args = process.argv.slice(2);
const binAt = args.indexOf('--bin');
const BIN = binAt >= 0 ? path.resolve(args.splice(binAt, 2)[1]) : fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));
const RUSAGE = fileURLToPath(new URL('./rusage.js', import.meta.url));
const cases = args.length ? args : ['chunks', 'pcap', 'report'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-hostile-'));

/** Runs wer-sniff; `feed(child)` may talk to it; resolves with figures and output. */
async function run(name, cliArgs, feed) {
  const usage = path.join(tmp, `${name}.rusage`);
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', RUSAGE, BIN, ...cliArgs], { env: { ...process.env, WER_SNIFF_RUSAGE: usage } });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => { if (out.length < 32e6) out += b; });
  child.stderr.on('data', (b) => { if (err.length < 1e6) err += b; });
  const exited = once(child, 'close');
  const extra = feed ? await feed(child, () => err) : undefined;
  const [code] = await exited;
  const r = fs.existsSync(usage) ? JSON.parse(fs.readFileSync(usage, 'utf8')) : {};
  return { name, code, wallMs: Date.now() - t0, cpuMs: r.cpuMs, maxRssMiB: r.maxRssKiB && Math.round(r.maxRssKiB / 1024), out, err, extra };
}

function print(r, what) {
  console.log(`${r.name.padEnd(34)} exit ${String(r.code).padEnd(4)} wall ${(r.wallMs / 1000).toFixed(1).padStart(6)} s  cpu ${((r.cpuMs ?? NaN) / 1000).toFixed(1).padStart(6)} s  rss ${String(r.maxRssMiB ?? '?').padStart(5)} MiB  ${what}`);
}

/** Starts `listen`, sends `bytes` (or what `write(sock)` writes) on one connection, then stops it. */
function listenFeed(write) {
  return async (child, stderr) => {
    while (!/listening on [^\s]+:(\d+)/.test(stderr())) await new Promise((r) => setTimeout(r, 20));
    const port = Number(/listening on [^\s]+:(\d+)/.exec(stderr())[1]);
    const sock = net.connect(port, '127.0.0.1');
    await once(sock, 'connect');
    const t0 = Date.now();
    let firstReply;
    const got = [];
    sock.on('data', (b) => { firstReply ??= Date.now() - t0; got.push(b); });
    await write(sock);
    sock.end();
    await once(sock, 'close');
    child.kill('SIGTERM');
    const reply = Buffer.concat(got).toString('latin1');
    return { replyStatus: reply.split('\r\n')[0] || '(no answer)', firstReplyMs: firstReply };
  };
}

// ---- chunks --------------------------------------------------------------------------------

const CHUNKS = Number(process.env.HOSTILE_CHUNKS ?? 8_000_000);
const CHUNK_HEAD = Buffer.from('POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n', 'latin1');

/** `n` one-byte chunks, produced in 6 MB blocks (never the whole 46 MiB at once). */
function* chunkBlocks(n) {
  const per = 1_000_000;
  const block = Buffer.from('1\r\nx\r\n'.repeat(per), 'latin1');
  for (let left = n; left > 0; left -= per) yield left >= per ? block : block.subarray(0, 6 * left);
  yield Buffer.from('0\r\n\r\n', 'latin1');
}

async function chunks() {
  const file = path.join(tmp, 'chunks.http');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, CHUNK_HEAD);
  for (const b of chunkBlocks(CHUNKS)) fs.writeSync(fd, b);
  fs.closeSync(fd);
  const d = await run(`decode ${CHUNKS} one-byte chunks`, ['decode', '--json', file]);
  const body = /"type":"request".*?"body":\{"length":(\d+)/.exec(d.out);
  print(d, body ? `request body ${body[1]} bytes` : d.err.split('\n')[0]);
  const l = await run(`listen ${CHUNKS} one-byte chunks`, ['listen', '-p', '0', '-b', '127.0.0.1', '--json'], listenFeed(async (sock) => {
    sock.write(CHUNK_HEAD);
    for (const b of chunkBlocks(CHUNKS)) if (!sock.write(b)) await once(sock, 'drain');
  }));
  print(l, `answer ${l.extra.replyStatus}`);
}

// ---- pcap ----------------------------------------------------------------------------------

async function pcap() {
  const hole = path.join(tmp, 'hole.pcap');
  fs.writeFileSync(hole, segmentsBehindHole(130_000, 15).pcap);
  const conflicts = path.join(tmp, 'conflicts.pcap');
  fs.writeFileSync(conflicts, conflictingRetransmissions(20_000, 100).pcap);
  const mib = (f) => (fs.statSync(f).size / 1e6).toFixed(1);
  for (const cmd of ['decode', 'check']) {
    const r = await run(`${cmd} 130k segments behind a hole`, [cmd, '--color', 'never', hole]);
    print(r, `${mib(hole)} MB; ${/Maximum call stack/.test(r.err) ? 'STACK OVERFLOW' : (/tcp-gap/.test(r.out) ? 'tcp-gap shown' : r.err.split('\n')[0])}`);
  }
  const c = await run('decode 20k conflicting retransmits', ['decode', '--json', conflicts]);
  print(c, `${(c.out.match(/tcp-overlap-conflict/g) ?? []).length} tcp-overlap-conflict problems`);
}

// ---- report --------------------------------------------------------------------------------

function hugeReport(kind, n) {
  const spec = {
    machine: 'WKS-1', os: '10.0.19045.2.0.0.256.48', lcid: 1033, user: 'u', app: { appname: 'a', apppath: 'C:\\a.exe' },
    event: { reporttype: 2, eventtype: 'APPCRASH', eventtime: toFiletime(Date.now()) },
    params: kind === 'parameters' ? Array.from({ length: n }, (_, i) => [`P${i}`, 'v']) : [['P', 'v']],
  };
  let xml = writeReportXml(spec);
  if (kind === 'attributes') xml = xml.replace('<MACHINEINFO', '<MACHINEINFO' + Array.from({ length: n }, (_, i) => ` x${i}="y"`).join(''));
  return writeLevel1Request('h:1273', encodeUtf16(xml));
}

async function report() {
  for (const kind of ['parameters', 'attributes']) {
    const bytes = hugeReport(kind, 130_000);
    const dir = path.join(tmp, `save-${kind}`);
    const r = await run(`listen: 130k ${kind} report`, ['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--save-dir', dir], listenFeed(async (sock) => { sock.write(bytes); }));
    const folders = fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
    const decoderErrors = (r.out.match(/decoder-error/g) ?? []).length;
    print(r, `${(bytes.length / 1e6).toFixed(1)} MB; answer ${r.extra.replyStatus} after ${r.extra.firstReplyMs ?? '-'} ms; ${folders} folder(s); ${decoderErrors} decoder-error`);
  }
}

console.log(`wer-sniff: ${BIN}`);
for (const c of cases) await { chunks, pcap, report }[c]();
fs.rmSync(tmp, { recursive: true, force: true });
