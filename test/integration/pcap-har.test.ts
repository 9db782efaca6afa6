// --pcap and --har from the built CLI, checked by real peers: tshark must dissect every HTTP
// request and response and its "follow tcp raw" must give back exactly the bytes each side
// sent; the HAR must parse and carry every field HAR 1.2 requires. Offline decode, live listen
// (IPv4 and IPv6), simulate ⇄ listen, relay, and failing output files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hasCommand, runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { sendAndCollect, splitEvery } from '../helpers/net.js';
import { vectorPath, readVector } from '../helpers/paths.js';
import { readPcap, tsharkComplaints, tsharkFollow, tsharkHttp } from '../helpers/pcap-reader.js';
import { harProblems } from '../helpers/har-check.js';
import { tempDir } from '../helpers/temp.js';

const TSHARK = hasCommand('tshark');
const NO_TSHARK = !TSHARK ? ' (SKIPPED: tshark not installed)' : '';
const tmp = tempDir('wer-sniff-pcap-');
// Each test runs the CLI and tshark several times (as pcap-in and pcap-out do): under load one
// tshark run alone took over 10 s, and 4 of these 9 tests passed 30 s.
vi.setConfig({ testTimeout: 90_000 });
const file = (name: string) => path.join(tmp, name);
const readHar = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

const start = cliStarter();

async function stop(r: RunningCli): Promise<number | null> {
  r.child.kill('SIGINT');
  return r.exited;
}

function ipv6Loopback(): boolean {
  return os.networkInterfaces().lo?.some((i) => i.family === 'IPv6' && i.address === '::1') ?? false;
}

describe('decode --pcap --har', () => {
  const inputs = ['level1-appcrash.http', 'level1-response-level2.http', 'level2-put.http', 'level2-response-ok.http'];
  const pcap = file('decode.pcap');
  const har = file('decode.har');

  it('writes both files; the HAR has one entry per message with every required field', () => {
    const r = runCli(['decode', '--pcap', pcap, '--har', har, '--json', ...inputs.map((n) => vectorPath(n))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = readPcap(fs.readFileSync(pcap));
    expect([f.magic, f.major, f.minor, f.snaplen, f.linkType]).toEqual([0xa1b2c3d4, 2, 4, 262144, 101]);
    // File names are no addresses: fake ones, one client and server per input.
    expect([...new Set(f.packets.map((p) => `${p.src}:${p.sport}`))].sort()).toEqual(
      ['10.0.0.1:49153', '10.0.0.2:49154', '10.0.0.3:49155', '10.0.0.4:49156', '10.0.1.1:1273', '10.0.1.2:1273', '10.0.1.3:1273', '10.0.1.4:1273']);
    const doc = readHar(har);
    expect(harProblems(doc)).toEqual([]);
    const e = doc.log.entries;
    expect(e.map((x: any) => [x.request.method, x.response.status])).toEqual([['POST', 0], ['', 200], ['PUT', 0], ['', 200]]);
    expect(e[0].request.postData.text).toContain('<WERREPORT');
    const cab = readVector('sample-report.cab');
    expect(Buffer.from(e[2].request.postData.text, 'base64').equals(cab)).toBe(true);
    expect(e[2].request.postData._encoding).toBe('base64');
    expect(e[1].response.content.text).toMatch(/^Bucket=/);
  });

  it.skipIf(!TSHARK)(`tshark shows every request and response, and follow gives back each file exactly${NO_TSHARK}`, () => {
    const put = readVector('level2-put.http').toString('latin1').split(' ')[1];
    expect(tsharkHttp(pcap)).toEqual([['POST', '/stage2.htm', ''], ['', '', '200'], ['PUT', put, ''], ['', '', '200']]);
    const streams = tsharkFollow(pcap);
    expect(streams).toHaveLength(4);
    // Offline input is one stream per file, so everything travels client → server.
    streams.forEach((s, i) => {
      expect(s.client.equals(readVector(inputs[i]!))).toBe(true);
      expect(s.server.length).toBe(0);
    });
    expect(tsharkComplaints(pcap)).toBe('');
  });
});

describe('listen --pcap --har', () => {
  it.skipIf(!TSHARK)(`a client's report and the CER answer, sent in fragments, come out of tshark byte for byte${NO_TSHARK}`, async () => {
    const pcap = file('listen.pcap');
    const har = file('listen.har');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--once', '--pcap', pcap, '--har', har]);
    const sent = readVector('level1-appcrash.http');
    const reply = await sendAndCollect(r.port, splitEvery(sent, 333), { delayMs: 2 });
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*iData=1\r\nDumpFile=/);
    expect(await r.exited).toBe(0);

    expect(tsharkHttp(pcap)).toEqual([['POST', '/stage2.htm', ''], ['', '', '200']]);
    const [s, ...more] = tsharkFollow(pcap);
    expect(more).toHaveLength(0);
    expect(s!.client.equals(sent)).toBe(true);
    expect(s!.server.equals(reply)).toBe(true);
    expect(tsharkComplaints(pcap, r.port)).toBe('');
    const f = readPcap(fs.readFileSync(pcap));
    expect(f.packets[0]).toMatchObject({ src: '127.0.0.1', dst: '127.0.0.1', dport: r.port });

    const doc = readHar(har);
    expect(harProblems(doc)).toEqual([]);
    const [e] = doc.log.entries;
    expect(e).toMatchObject({ serverIPAddress: '127.0.0.1', connection: '1', _reportId: 'r1' });
    expect(e.request.url).toBe('http://cer-lab.example.test:1273/stage2.htm');
    expect(e.response.content.text).toBe(reply.subarray(reply.indexOf('\r\n\r\n') + 4).toString('latin1'));
    expect(e.response.content.mimeType).toMatch(/^text\/plain/);
  });

  it.skipIf(!TSHARK)(`a 1 MiB binary upload is reassembled exactly${NO_TSHARK}`, async () => {
    const pcap = file('big.pcap');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--once', '--respond', 'ok', '--pcap', pcap]);
    const body = crypto.randomBytes(1024 * 1024);
    const sent = Buffer.concat([Buffer.from(`PUT /big.cab HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const reply = await sendAndCollect(r.port, [sent]);
    expect(await r.exited).toBe(0);
    expect(tsharkHttp(pcap)).toEqual([['PUT', '/big.cab', ''], ['', '', '200']]);
    const [s] = tsharkFollow(pcap);
    expect(s!.client.equals(sent)).toBe(true);
    expect(s!.server.equals(reply)).toBe(true);
    expect(tsharkComplaints(pcap, r.port)).toBe('');
  });

  it.skipIf(!TSHARK || !ipv6Loopback())(`IPv6: listen -b ::1 writes IPv6 packets tshark dissects${NO_TSHARK}`, async () => {
    const pcap = file('v6.pcap');
    const r = await start(['listen', '-p', '0', '-b', '::1', '--once', '--pcap', pcap]);
    const sent = readVector('level1-hang.http');
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const got: Buffer[] = [];
      const sock = net.connect({ host: '::1', port: r.port }, () => sock.end(sent));
      sock.on('data', (b) => got.push(b)).on('error', reject).on('close', () => resolve(Buffer.concat(got)));
    });
    expect(await r.exited).toBe(0);
    expect(readPcap(fs.readFileSync(pcap)).packets.every((p) => p.v6)).toBe(true);
    expect(tsharkHttp(pcap)).toEqual([['POST', '/stage2.htm', ''], ['', '', '200']]);
    const [s] = tsharkFollow(pcap);
    expect(s!.client.equals(sent)).toBe(true);
    expect(s!.server.equals(reply)).toBe(true);
    expect(tsharkComplaints(pcap, r.port)).toBe('');
  });

  it.skipIf(!TSHARK)(`simulate ⇄ listen: every level-1 POST and CAB PUT, on several connections, in pcap and HAR${NO_TSHARK}`, async () => {
    const pcap = file('sim.pcap');
    const har = file('sim.har');
    const raw = file('sim.bin');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-o', raw, '--pcap', pcap, '--har', har]);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${r.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    expect(await stop(r)).toBe(0);

    const rows = tsharkHttp(pcap);
    expect(rows.filter((x) => x[0] === 'POST')).toHaveLength(4);
    expect(rows.filter((x) => x[0] === 'PUT')).toHaveLength(4);
    expect(rows.filter((x) => x[2] === '200')).toHaveLength(8);
    // The client bytes of all streams, in order, are what -o saved.
    const streams = tsharkFollow(pcap);
    expect(Buffer.concat(streams.map((s) => s.client)).equals(fs.readFileSync(raw))).toBe(true);
    expect(tsharkComplaints(pcap, r.port)).toBe('');

    const doc = readHar(har);
    expect(harProblems(doc)).toEqual([]);
    // Entries are written as exchanges finish (a PUT's once its CAB is summarised): by start time.
    const entries = doc.log.entries.slice().sort((a: any, b: any) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
    expect(entries.map((e: any) => e.request.method)).toEqual(['POST', 'PUT', 'POST', 'PUT', 'POST', 'PUT', 'POST', 'PUT']);
    expect(entries.map((e: any) => e._reportId)).toEqual(['r1', 'r1', 'r2', 'r2', 'r3', 'r3', 'r4', 'r4']);
    for (const e of entries.filter((x: any) => x.request.method === 'PUT')) {
      const cab = Buffer.from(e.request.postData.text, 'base64');
      expect(cab.subarray(0, 4).toString('latin1')).toBe('MSCF');
      expect(crypto.createHash('sha256').update(cab).digest('hex')).toBe(e.request.postData._sha256);
    }
  }, 90_000); // simulate, listen and four tshark runs: slow on a loaded machine
});

describe('relay --pcap --har', () => {
  it.skipIf(!TSHARK)(`both directions of a relayed report, with the relay as the server side${NO_TSHARK}`, async () => {
    const pcap = file('relay.pcap');
    const har = file('relay.har');
    const upstream = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json']);
    const relay = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '--json', '--pcap', pcap, '--har', har]);
    const relayPort = Number(/listening on [^\n]*?:(\d+), relaying/.exec(relay.stderr())![1]);
    const sent = readVector('level1-bluescreen.http');
    const reply = await sendAndCollect(relayPort, splitEvery(sent, 500), { delayMs: 2 });
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await new Promise((res) => setTimeout(res, 200));
    expect(await stop(relay)).toBe(0);

    expect(tsharkHttp(pcap)).toEqual([['POST', '/stage2.htm', ''], ['', '', '200']]);
    const [s] = tsharkFollow(pcap);
    expect(s!.client.equals(sent)).toBe(true);
    expect(s!.server.equals(reply)).toBe(true);
    expect(readPcap(fs.readFileSync(pcap)).packets[0]!.dport).toBe(relayPort);
    const [e] = readHar(har).log.entries;
    expect(e.response.status).toBe(200);
    expect(e.request.postData.text).toContain('BlueScreen');
  });
});

describe('failing output files', () => {
  const level1 = vectorPath('level1-appcrash.http');

  it('a path that cannot be opened: one line, exit 1, nothing decoded', () => {
    for (const [flag, what] of [['--pcap', 'pcap file'], ['--har', 'HAR file']]) {
      const r = runCli(['decode', flag!, path.join(tmp, 'no-such-dir', 'x'), level1]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^wer-sniff: cannot write ${what} .*no-such-dir/x: no such file or folder \\(ENOENT\\) — check the path and permissions\n$`));
      expect(r.stdout.length).toBe(0);
    }
  });

  it.skipIf(!fs.existsSync('/dev/full'))('a write error (ENOSPC) closes that file only: decode goes on and exits 1, for either file', () => {
    for (const [flag, what] of [['--pcap', 'pcap file'], ['--har', 'HAR file']]) {
      const r = runCli(['decode', '--json', flag!, '/dev/full', level1]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`wer-sniff: writing ${what} /dev/full failed: ENOSPC — ${what} closed, stdout goes on`);
      expect(r.stdout.toString()).toContain('"type":"report"');
    }
    // Listen: see faults-outputs.test.ts (it keeps serving; it stops only when nothing records).
  });
});
