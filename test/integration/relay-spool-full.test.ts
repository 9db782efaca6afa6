// `relay -o` with a temporary directory that takes no file (TMPDIR is a regular file here, so
// every spill fails like a full disk, on any platform): a connection whose bytes wait behind an
// open one is held in memory up to the spool budget (32 MiB), then the relay stops reading it —
// its forwarding waits too — instead of holding all it sends (the relay's tap used to ask only
// whether the output was backed up, so 200 MiB sent meant ~300 MB RSS). One line says so. Once
// the first connection closes, the waiting one goes on, and -o holds every byte, each
// connection's together, in open order. Real sockets on 127.0.0.1, the built CLI (relay thread).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const MiB = 1024 * 1024;
const BUDGET = 32 * MiB; // SPOOL_BUDGET_BYTES
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-relay-spool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('relay -o with a temporary directory that takes no file', () => {
  it('the waiting connection stops at the budget, one notice, then every byte in order once the first closes', async () => {
    const fromClients = new Map<string, number>();
    const upstream = net.createServer((s) => {
      s.on('error', () => {});
      let first = '';
      s.on('data', (b: Buffer) => {
        if (!first) first = b.subarray(0, 1).toString('latin1');
        fromClients.set(first, (fromClients.get(first) ?? 0) + b.length);
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const notDir = path.join(tmp, 'not-a-directory');
    fs.writeFileSync(notDir, 'TMPDIR points here: no temporary file can be made in it\n');
    const out = path.join(tmp, 'capture.bin');
    const socks: net.Socket[] = [];
    try {
      const port = (upstream.address() as net.AddressInfo).port;
      const relay = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '-o', out, '-q'], { TMPDIR: notDir, TMP: notDir, TEMP: notDir });
      const connect = async () => {
        const s = net.connect(relay.port, '127.0.0.1');
        s.on('error', () => {});
        socks.push(s);
        await once(s, 'connect');
        return s;
      };
      const a = await connect();
      const aBytes = Buffer.from('A: the first connection owns -o until it closes\n');
      a.write(aBytes);
      await until('the upstream to get the first connection', () => fromClients.get('A') === aBytes.length);
      const b = await connect();
      // Taken now: b may close while the upstream's count is still being polled below.
      const bClosed = once(b, 'close');
      const total = BUDGET + 24 * MiB;
      const bBytes = Buffer.alloc(total, 0x42);
      for (let i = 0; i < total; i += 4096) bBytes.writeUInt32BE(i, i); // its own pattern, starting with 'B'
      bBytes[0] = 0x42;
      let sent = 0;
      let stuck = false;
      while (!stuck && sent < total) {
        const ok = b.write(bBytes.subarray(sent, sent + MiB));
        sent += MiB;
        if (!ok) stuck = !(await Promise.race([once(b, 'drain').then(() => true), new Promise((r) => setTimeout(r, 2_000, false))]));
      }
      expect(stuck).toBe(true);
      const forwarded = fromClients.get('B') ?? 0;
      // The budget, plus what one read, the relay's thread and the socket buffers hold.
      expect(forwarded).toBeGreaterThanOrEqual(BUDGET - MiB);
      expect(forwarded).toBeLessThan(BUDGET + 12 * MiB);
      await until('the notice about the temporary files', () => /temporary file .*\(ENOTDIR\).*paused/.test(relay.stderr()));
      expect(relay.stderr().match(/temporary file/g)).toHaveLength(1);

      // The first closes: the waiting connection is read again, all of it goes through.
      a.end();
      for (; sent < total; sent += MiB) b.write(bBytes.subarray(sent, sent + MiB));
      b.end();
      await until('the upstream to get all of the second connection', () => fromClients.get('B') === total, 60_000);
      await bClosed;
      relay.child.kill('SIGINT');
      expect(await relay.exited).toBe(0);
      const saved = fs.readFileSync(out);
      expect(saved.length).toBe(aBytes.length + total);
      expect(saved.equals(Buffer.concat([aBytes, bBytes]))).toBe(true);
    } finally {
      for (const s of socks) s.destroy();
      upstream.close();
    }
  }, 120_000);
});
