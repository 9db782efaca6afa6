// An HTTP upstream that reads each request body whole and answers `got <n>` (its length), and a
// client that sends exact bytes to a relay and waits for that answer: big POSTs through
// `wer-sniff relay` (binary-post, text-post).
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach } from 'vitest';

/** Starts counting upstreams on 127.0.0.1 (port 0); each is closed after its test. */
export function countingUpstreams(): () => Promise<number> {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  return async () => {
    const server = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (b: Buffer) => (n += b.length));
      req.on('end', () => res.end(`got ${n}\n`));
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as net.AddressInfo).port;
  };
}

/** Sends `wire` in 256 KiB writes and resolves with the answer once it is complete. */
export function sendForCount(port: number, wire: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    s.on('error', reject);
    s.on('data', (b) => {
      got += b.toString('latin1');
      if (/\r\n\r\ngot \d+\n$/.test(got)) {
        s.end();
        resolve(got);
      }
    });
    s.on('connect', () => {
      for (let i = 0; i < wire.length; i += 256 * 1024) s.write(wire.subarray(i, i + 256 * 1024));
    });
  });
}
