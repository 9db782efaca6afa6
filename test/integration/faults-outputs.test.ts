// Faults around the outputs: SIGINT/SIGTERM flush and close every file; kill -9 leaves readable
// files; a full disk closes only the failing output (the listener keeps serving, exit 1); when
// nothing records any more the run stops; a closed stdout (`| head`) is a quiet exit 0.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { peer, skipNote } from '../helpers/peers.js';
import { BIN, SAMPLES, readVector } from '../helpers/paths.js';
import { events, pcapRecords, runCliAsync } from '../helpers/run-async.js';
import { readPcap, tsharkComplaints, tsharkHttp } from '../helpers/pcap-reader.js';

const startCli = cliStarter();

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-faults-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LEVEL1 = readVector('level1-appcrash.http');
const PUT = readVector('level2-put.http');
const sumClientBytes = (evs: ReturnType<typeof events>) =>
  evs.filter((e) => e.type === 'close').reduce((n, e) => n + (e.bytesFromClient as number), 0);

/** Payload bytes the pcap's clients (the side that sent SYN first) sent, in file order. */
function clientBytes(buf: Buffer): Buffer {
  const file = readPcap(buf);
  const clients = new Set(file.packets.filter((p) => p.flags === 0x02).map((p) => `${p.src}:${p.sport}`));
  return Buffer.concat(file.packets.filter((p) => clients.has(`${p.src}:${p.sport}`)).map((p) => p.payload));
}
const clientPayload = (buf: Buffer): number => clientBytes(buf).length;

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal) => {
  it(`flushes and closes -o, --pcap, --har and --json; every count matches; tshark reads the pcap${skipNote('tshark')}`, async (ctx) => {
    const [raw, pcap, har] = ['cap.bin', 'cap.pcap', 'cap.har'].map((f) => path.join(tmp, `${signal}-${f}`));
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-o', raw!, '--pcap', pcap!, '--har', har!, '--json']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill(signal);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/stopped: \d+ connections?, 8 requests, 4 reports/);
    const evs = events(cli.stdout().toString());
    expect(evs.filter((e) => e.type === 'request')).toHaveLength(8);
    expect(fs.statSync(raw!).size).toBe(sumClientBytes(evs));
    expect(JSON.parse(fs.readFileSync(har!, 'utf8')).log.entries).toHaveLength(8);
    const pcapBytes = fs.readFileSync(pcap!);
    expect(pcapRecords(pcapBytes).rest).toBe(0);
    expect(clientPayload(pcapBytes)).toBe(sumClientBytes(evs));
    if (!peer('tshark')) return ctx.skip('tshark not installed: the pcap was not checked by tshark');
    {
      const port = String(cli.port);
      const http = spawnSync('tshark', ['-r', pcap!, '-d', `tcp.port==${port},http`, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.method']);
      expect(http.status).toBe(0);
      expect(http.stdout.toString().trim().split('\n').sort()).toEqual([...Array(4).fill('POST'), ...Array(4).fill('PUT')].sort());
      expect(tsharkComplaints(pcap!, cli.port)).toBe('');
    }
  }, 30_000);
});

describe('kill -9', () => {
  it(`leaves -o with every byte received and a pcap that opens (at most the last record cut)${skipNote('tshark')}`, async (ctx) => {
    const raw = path.join(tmp, 'k9.bin');
    const pcap = path.join(tmp, 'k9.pcap');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-o', raw, '--pcap', pcap, '--json']);
    const sent: Buffer[] = [];
    const sock = net.connect(cli.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    // A level-1 report (answered), then half a PUT, and the sniffer dies mid-upload.
    sock.write(LEVEL1);
    sent.push(LEVEL1);
    await new Promise((r) => sock.once('data', r));
    const half = PUT.subarray(0, PUT.length >> 1);
    sock.write(half);
    sent.push(half);
    const total = LEVEL1.length + half.length;
    for (let i = 0; i < 100 && fs.statSync(raw).size < total; i++) await new Promise((r) => setTimeout(r, 20));
    cli.child.kill('SIGKILL');
    await cli.exited;
    sock.destroy();
    expect(fs.readFileSync(raw).equals(Buffer.concat(sent))).toBe(true);
    const bytes = fs.readFileSync(pcap);
    const { records, rest } = pcapRecords(bytes);
    expect(records.length).toBeGreaterThan(4);
    expect(rest).toBeLessThan(16 + 65_535 + 60);
    const cut = bytes.subarray(0, bytes.length - rest);
    expect(clientPayload(cut)).toBeLessThanOrEqual(total);
    expect(clientPayload(cut)).toBeGreaterThanOrEqual(LEVEL1.length);
    if (!peer('tshark')) return ctx.skip('tshark not installed: the cut pcap was not opened by tshark');
    {
      fs.writeFileSync(pcap, cut);
      expect(() => tsharkHttp(pcap)).not.toThrow(); // tshark opens it (it throws on a non-zero exit)
    }
  }, 30_000);
});

describe('disk full and failing outputs', () => {
  it.skipIf(!fs.existsSync('/dev/full'))('--pcap on /dev/full: one line naming it, the listener and -o/--json go on, exit 1', async () => {
    const raw = path.join(tmp, 'full.bin');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-o', raw, '--pcap', '/dev/full', '--json']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    const lines = cli.stderr().split('\n').filter((l) => l.includes('/dev/full'));
    expect(lines[0]).toBe('wer-sniff: writing pcap file /dev/full failed: ENOSPC — pcap file closed, the other outputs go on; free some space and restart to record to it again');
    expect(lines[1]).toBe('wer-sniff: pcap file /dev/full failed during the run (ENOSPC); it holds what was written before that');
    expect(lines).toHaveLength(2);
    const evs = events(cli.stdout().toString());
    expect(evs.filter((e) => e.type === 'report')).toHaveLength(4);
    expect(fs.statSync(raw).size).toBe(sumClientBytes(evs));
  }, 30_000);

  it.skipIf(!fs.existsSync('/dev/full'))('stops when no output records any more (every file failed, stdout is /dev/null)', () => {
    const devNull = fs.openSync('/dev/null', 'w');
    const r = spawnSync(process.execPath, [BIN, 'listen', '-p', '0', '-b', '127.0.0.1', '--pcap', '/dev/full'], { stdio: ['ignore', devNull, 'pipe'], timeout: 10_000 });
    fs.closeSync(devNull);
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/every output file failed \(pcap file \/dev\/full\) and nothing else records the traffic — stopped so nothing goes unrecorded/);
  });

  const tinyFs = path.join(os.tmpdir(), `wer-tmpfs-${process.pid}`);
  let mounted = false;
  let why = '';
  if (process.platform === 'linux') {
    fs.mkdirSync(tinyFs, { recursive: true });
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tinyFs]);
    mounted = m.status === 0;
    why = m.stderr?.toString().trim() ?? String(m.error);
  } else why = 'not Linux';
  if (!mounted) console.warn(`skipping the 64 KiB tmpfs test: cannot mount one (${why})`);
  afterAll(() => {
    if (mounted) spawnSync('umount', [tinyFs]);
    fs.rmSync(tinyFs, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('-o on a 64 KiB tmpfs fills up: -o keeps a prefix, --pcap elsewhere gets everything, every client answered', async () => {
    const raw = path.join(tinyFs, 'cap.bin');
    const pcap = path.join(tmp, 'tiny.pcap');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-o', raw, '--pcap', pcap, '--json']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'all', '--count', '6', '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`wer-sniff: writing capture file ${raw} failed: ENOSPC — capture file closed, the other outputs go on`);
    const evs = events(cli.stdout().toString());
    expect(evs.filter((e) => e.type === 'report')).toHaveLength(24);
    const total = sumClientBytes(evs);
    expect(total).toBeGreaterThan(64 * 1024);
    const all = clientBytes(fs.readFileSync(pcap));
    expect(all.length).toBe(total);
    // simulate's connections follow each other, so -o holds exactly the first bytes of them all.
    const kept = fs.readFileSync(raw);
    expect(kept.length).toBeGreaterThan(32 * 1024);
    expect(kept.length).toBeLessThanOrEqual(64 * 1024);
    expect(kept.equals(all.subarray(0, kept.length))).toBe(true);
  }, 60_000);
});

describe('EPIPE on stdout (| head -c 10)', () => {
  it('decode exits 0 quietly', () => {
    const files = Array(50).fill(path.join(SAMPLES, 'appcrash.http'));
    for (const mode of [[], ['--json']]) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" decode ${mode.join(' ')} ${files.join(' ')} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
      expect(r.stdout.toString().trim()).toBe('0');
      expect(r.stderr.toString()).toBe('');
    }
  });

  it.each([['listen'], ['relay']])('%s exits 0 quietly when its reader goes away', async (cmd) => {
    const upstream = cmd === 'relay' ? await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json']) : undefined;
    const extra = upstream ? ['--to', `127.0.0.1:${upstream.port}`] : [];
    const cli = await startCli([cmd, '-p', '0', '-b', '127.0.0.1', ...extra]);
    const { child, port, exited } = cli;
    // Read 10 bytes, then close the pipe like `head -c 10`; keep sending until it notices.
    child.stdout.once('data', () => child.stdout.destroy());
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    for (let i = 0; i < 20 && code === undefined; i++) await runCliAsync(['simulate', '--to', `127.0.0.1:${port}`, '--color', 'never']);
    expect(await exited).toBe(0);
    expect(cli.stderr()).not.toMatch(/error|EPIPE/i);
    if (upstream) {
      upstream.child.kill('SIGINT');
      await upstream.exited;
    }
  }, 60_000);
});
