// The README's promise that `listen --respond none --raw` saves what `nc -l` saves: the same
// client traffic (a level-1 report, binary garbage, a CAB upload, sent in odd fragments, then a
// half-close) goes to real OpenBSD netcat and to wer-sniff, and both stdouts are compared byte
// for byte.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { readVector } from '../helpers/paths.js';
import { peer, skipNote } from '../helpers/peers.js';
import { sleep, until } from '../helpers/wait.js';

const start = cliStarter();
const TRAFFIC = Buffer.concat([
  readVector('level1-appcrash.http'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x0d, 0x0a]), readVector('level2-put-headers.http'),
  readVector('sample-report-mszip.cab'), Buffer.from('\r\n\r\n'),
]);

/** Sends TRAFFIC in fragments of awkward sizes, half-closes, waits for the close. */
async function send(port: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.on('data', () => {});
  const sizes = [1, 333, 7, 4096, 2, 1460];
  for (let off = 0, i = 0; off < TRAFFIC.length; i++) {
    const n = sizes[i % sizes.length]!;
    s.write(TRAFFIC.subarray(off, off + n));
    off += n;
    if (i % 8 === 0) await sleep(1); // let some fragments travel alone
  }
  s.end();
  await new Promise((r) => s.once('close', r));
}

/** `nc -d -l 127.0.0.1 <port>` on a random high port (tried again if taken: never a port
 * probed free earlier); resolves once it accepts connections. */
async function netcat(): Promise<{ port: number; out: () => Buffer; exited: Promise<number | null>; kill: () => void }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const child = spawn('nc', ['-d', '-l', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    // nc prints nothing when it listens: probe until a connect would be accepted... which would
    // itself be the one connection nc serves. So wait for the socket in /proc/net/tcp instead.
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = async () => {
      const { readFileSync } = await import('node:fs');
      return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => l.includes(`:${hex} 00000000:0000 0A`));
    };
    try {
      await until('nc to listen', async () => child.exitCode !== null || (await listening()), 5_000);
    } catch {
      child.kill();
      continue;
    }
    if (child.exitCode !== null) {
      if (/in use/i.test(err)) continue;
      throw new Error(`nc failed: ${err}`);
    }
    return { port, out: () => Buffer.concat(chunks), exited, kill: () => child.kill() };
  }
  throw new Error('no port for nc after 20 tries');
}

describe(`--raw saves what nc -l saves${skipNote('nc')}`, () => {
  it.skipIf(!peer('nc') || process.platform !== 'linux')('the same fragmented traffic: byte for byte the same stdout', async () => {
    const nc = await netcat();
    try {
      await send(nc.port);
      await nc.exited;
    } finally {
      nc.kill();
    }
    const ours = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--respond', 'none', '--raw', '--once']);
    await send(ours.port);
    expect(await ours.exited).toBe(0);
    expect(nc.out().length).toBe(TRAFFIC.length);
    expect(nc.out().equals(TRAFFIC)).toBe(true);
    expect(ours.stdout().equals(nc.out())).toBe(true);
  });
});
