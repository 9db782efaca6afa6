// `-w` from the built CLI against tshark: pcap on stdout piped into `tshark -r -`, the flags
// that cannot share stdout with it, a `kill -9` mid-connection leaving a file that opens, and
// connection ends written as they happened (FIN per side, RST from the side that reset).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { hasCommand, runCli, cliStarter } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { until } from '../helpers/wait.js';
import { sendAndCollect, splitEvery } from '../helpers/net.js';
import { BIN, vectorPath, readVector } from '../helpers/paths.js';
import { readPcap, tshark, tsharkComplaints, tsharkFollow, tsharkHttp } from '../helpers/pcap-reader.js';
import { tempDir } from '../helpers/temp.js';

const TSHARK = hasCommand('tshark');
const NO_TSHARK = TSHARK ? '' : ' (SKIPPED: tshark not installed)';
const tmp = tempDir('wer-sniff-pcapout-');
const file = (name: string) => path.join(tmp, name);
// Each test starts several CLI processes and tshark; on a loaded machine that takes a while.
vi.setConfig({ testTimeout: 90_000 });
const FIN = 0x01;
const RST = 0x04;

type Pkt = ReturnType<typeof readPcap>['packets'][number];
/** The FINs and RSTs of a connection, by the side that sent them (the server listens on `port`). */
const ends = (list: Pkt[], port: number) => list.filter((p) => p.flags & (FIN | RST)).map((p) => `${p.dport === port ? 'client' : 'server'}:${p.flags & RST ? 'RST' : 'FIN'}`);

const start = cliStarter();

describe('-w - (pcap on stdout)', () => {
  it.skipIf(!TSHARK || process.platform === 'win32')(`wer-sniff listen -w - | tshark -r - finds the report; the human view goes to stderr${NO_TSHARK}`, async () => {
    const cmd = `"${process.execPath}" "${BIN}" listen -p 0 -b 127.0.0.1 --once -v --color never -w - | tshark -r - -Y http -T fields -e http.request.method -e http.request.uri -e http.response.code`;
    const sh = spawn('sh', ['-c', cmd]);
    let out = '';
    let err = '';
    sh.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 10_000);
      sh.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    const sent = readVector('level1-appcrash.http');
    const reply = await sendAndCollect(port, splitEvery(sent, 700), { delayMs: 2 });
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    const code = await new Promise((resolve) => sh.on('close', resolve));
    expect(code).toBe(0);
    expect(out.trim().split('\n').map((l) => l.split('\t'))).toEqual([['POST', '/stage2.htm', ''], ['', '', '200']]);
    expect(err).toContain('▶ POST /stage2.htm HTTP/1.1');
    expect(err).toContain('WER report · APPCRASH');
  });

  it('-w - with --json or --raw is refused in one line, exit 2, nothing on stdout', () => {
    for (const flag of ['--json', '--raw']) {
      const r = runCli(['listen', '-p', '0', '-w', '-', flag]);
      expect(r.code).toBe(2);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toBe(`wer-sniff: -w - puts pcap on stdout, and ${flag} wants stdout too — write one of them to a file (-w <file>, or -o <file> for raw bytes)\n`);
    }
    expect(runCli(['decode', '-w', '-', '--json', vectorPath('level1-hang.http')]).code).toBe(2);
  });

  it('--pcap is a hidden alias of -w; naming two different files is refused', () => {
    expect(runCli(['listen', '--help']).stdout.toString()).not.toContain('--pcap');
    const r = runCli(['decode', '-w', file('a.pcap'), '--pcap', file('b.pcap'), vectorPath('level1-hang.http')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wer-sniff: -w and --pcap name the same output (--pcap is its old name) — give one\n');
    const alias = runCli(['decode', '--pcap', file('alias.pcap'), '--json', vectorPath('level1-hang.http')]);
    expect(alias.code).toBe(0);
    expect(readPcap(fs.readFileSync(file('alias.pcap'))).packets.length).toBeGreaterThan(3);
  });

  it('decode -w - writes the pcap to stdout (header first), the human view to stderr', () => {
    const r = runCli(['decode', '-w', '-', '-v', '--color', 'never', vectorPath('level1-hang.http')]);
    expect(r.code).toBe(0);
    expect(readPcap(r.stdout).packets.length).toBeGreaterThan(3);
    expect(r.stderr).toContain('▶ POST /stage2.htm');
  });
});

describe('-w <file>', () => {
  it.skipIf(!TSHARK)(`kill -9 with a connection open leaves a file tshark opens, request intact; decode reads it${NO_TSHARK}`, async () => {
    const pcap = file('killed.pcap');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '-w', pcap]);
    const sent = readVector('level1-generic.http');
    const sock = net.connect({ port: r.port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    sock.write(sent);
    // Wait for the answer: by then the request was recorded (the file is written as it goes).
    await new Promise<void>((resolve) => sock.once('data', () => resolve()));
    r.child.kill('SIGKILL');
    await r.exited;
    sock.destroy();
    expect(tsharkHttp(pcap)).toEqual([['POST', '/stage2.htm', ''], ['', '', '200']]);
    const [s] = tsharkFollow(pcap);
    expect(s!.client.equals(sent)).toBe(true);
    // Nothing says the connection ended: no FIN, no RST.
    expect(readPcap(fs.readFileSync(pcap)).packets.some((p) => p.flags & (FIN | RST))).toBe(false);
    const dec = runCli(['decode', '--json', '--port', String(r.port), pcap]);
    expect(dec.code).toBe(0);
    const evs = ndjson(dec.stdout);
    // The report's check adds one finding at the end: the CAB the answer asked for never came.
    expect(evs.map((e) => e.type)).toEqual(['open', 'request', 'report', 'response', 'close', 'finding']);
    expect(evs.at(-1).rule).toBe('cab-not-uploaded');
    expect(evs.at(-2).reason).toBe('still open when the capture ended');
  });

  it.skipIf(!TSHARK)(`a client that resets gets a RST from the client side; an orderly close a FIN from each side, client first${NO_TSHARK}`, async () => {
    const pcap = file('ends.pcap');
    const raw = file('ends.bin');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-w', pcap, '-o', raw]);
    // Connection 1: orderly (client half-closes, the server answers and closes).
    const first = readVector('level1-hang.http');
    await sendAndCollect(r.port, [first]);
    // Connection 2: the client resets in the middle of its request, once the listener has read it.
    const sock = net.connect({ port: r.port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    sock.write(first.subarray(0, 300));
    await until('the listener to read the 300 bytes', () => fs.statSync(raw).size >= first.length + 300);
    sock.resetAndDestroy();
    await until('both closes', () => ndjson(r.stdout()).filter((e) => e.type === 'close').length === 2);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);

    const ps = readPcap(fs.readFileSync(pcap)).packets;
    const byConn = new Map<number, typeof ps>();
    for (const p of ps) {
      const client = p.dport === r.port ? p.sport : p.dport;
      if (!byConn.has(client)) byConn.set(client, []);
      byConn.get(client)!.push(p);
    }
    const [orderly, reset] = [...byConn.values()] as [typeof ps, typeof ps];
    expect(ends(orderly, r.port)).toEqual(['client:FIN', 'server:FIN']);
    expect(ends(reset, r.port)).toEqual(['client:RST']);
    expect(tshark(['-r', pcap, '-Y', 'tcp.flags.reset==1', '-T', 'fields', '-e', 'tcp.dstport']).trim()).toBe(String(r.port));
    // tshark's own TCP analysis finds nothing wrong with either connection.
    expect(tsharkComplaints(pcap).split('\n').filter((l) => l && !/RST/.test(l))).toEqual([]);
  });
});

describe('relay -w', () => {
  it.skipIf(!TSHARK)(`resets are written as they happened: the client's, and the upstream's mirrored by the relay${NO_TSHARK}`, async () => {
    // An upstream that resets every connection once it has read something.
    const upstream = net.createServer((s) => s.on('error', () => {}).once('data', () => s.resetAndDestroy()));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const up = (upstream.address() as net.AddressInfo).port;
    const pcap = file('relay-ends.pcap');
    const relay = await start(['relay', '--to', `127.0.0.1:${up}`, '-p', '0', '-b', '127.0.0.1', '--json', '-w', pcap]);
    const port = Number(/listening on [^\n]*?:(\d+), relaying/.exec(relay.stderr())![1]);
    // 1: the upstream resets; the relay resets the client.
    await new Promise<void>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => s.write('POST /stage2.htm HTTP/1.1\r\nContent-Length: 5\r\n\r\nab'));
      s.on('error', () => {}).on('close', () => resolve());
    });
    // 2: the client resets before sending anything (the upstream only resets after data), once
    // the relay has taken it.
    await new Promise<void>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, async () => {
        await until('the relay to open #2', () => ndjson(relay.stdout()).filter((e) => e.type === 'open').length === 2);
        s.resetAndDestroy();
      });
      s.on('close', () => resolve());
    });
    await until('both closes', () => ndjson(relay.stdout()).filter((e) => e.type === 'close').length === 2);
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    upstream.close();
    const ps = readPcap(fs.readFileSync(pcap)).packets;
    const clients = [...new Set(ps.map((p) => (p.dport === port ? p.sport : p.dport)))];
    expect(clients).toHaveLength(2);
    const conn = (c: number) => ps.filter((p) => p.sport === c || p.dport === c);
    expect(ends(conn(clients[0]!), port)).toEqual(['server:RST']);
    expect(ends(conn(clients[1]!), port)).toEqual(['client:RST']);
  });
});
