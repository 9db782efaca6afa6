// The relay's promise about a slow output, with a real pipe nobody reads: `relay --raw` whose
// stdout the test stops reading. The tap never delays forwarding — bytes reach the upstream while
// the output is blocked — and only when the outputs fall more than 4 MiB behind does the relay
// stop reading its client, so memory stays bounded. Once stdout is read again, every byte comes
// out, in order.
import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const MiB = 1024 * 1024;

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

describe('relay with a stdout nobody reads', () => {
  it.skipIf(process.platform !== 'linux')('forwards while the output is blocked, stops the client past ~4 MiB of lag, bounded memory, then catches up exactly', async () => {
    let received = 0;
    const upstream = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', (b: Buffer) => (received += b.length));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const client = new net.Socket();
    try {
      const port = (upstream.address() as net.AddressInfo).port;
      const relay = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--raw']);
      relay.child.stdout.pause(); // from now on nobody reads the relay's stdout pipe
      const rss0 = rssMiB(relay.child.pid!);
      client.on('error', () => {});
      client.connect(relay.port, '127.0.0.1');
      await once(client, 'connect');
      const block = Buffer.alloc(256 * 1024);
      let sent = 0;
      const pattern = (n: number) => { for (let i = 0; i < block.length; i += 4096) block.writeUInt32BE(n + i, i); return block; };

      // 1. 2 MiB, well under the bound: all of it reaches the upstream although stdout is blocked
      for (; sent < 2 * MiB; sent += block.length) client.write(Buffer.from(pattern(sent)));
      await until('the upstream to get 2 MiB while stdout is blocked', () => received === 2 * MiB);
      expect(relay.stdout().length).toBeLessThan(2 * MiB);

      // 2. keep writing: the client gets stuck once the outputs are ~4 MiB behind
      let stuck = false;
      while (!stuck && sent < 64 * MiB) {
        const ok = client.write(Buffer.from(pattern(sent)));
        sent += block.length;
        if (!ok) stuck = !(await Promise.race([once(client, 'drain').then(() => true), new Promise((r) => setTimeout(r, 1_000, false))]));
      }
      expect(stuck).toBe(true);
      const lag = received - relay.stdout().length; // forwarded but not yet written to stdout
      expect(received).toBeGreaterThanOrEqual(4 * MiB);
      // 4 MiB of tap lag, plus what the pipe and the socket buffers hold
      expect(lag).toBeLessThan(4 * MiB + 4 * MiB);
      expect(sent).toBeLessThan(24 * MiB);
      expect(rssMiB(relay.child.pid!) - rss0).toBeLessThan(64);

      // 3. read stdout again: everything comes out, byte for byte, and the client is released
      relay.child.stdout.resume();
      client.end();
      await until('stdout to catch up', () => relay.stdout().length === sent, 30_000);
      expect(received).toBe(sent);
      const out = relay.stdout();
      for (let off = 0; off < sent; off += 4096) if (out.readUInt32BE(off) !== off) throw new Error(`stdout differs at ${off}`);
      relay.child.kill('SIGINT');
      expect(await relay.exited).toBe(0);
    } finally {
      client.destroy();
      upstream.close();
    }
  }, 90_000);
});
