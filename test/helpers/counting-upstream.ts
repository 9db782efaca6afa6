// An HTTP upstream that reads each request body whole and answers `got <n>` (its length), and a
// client that sends exact bytes to a relay and waits for that answer: big POSTs through
// `wer-sniff relay` (binary-post, text-post).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, expect } from 'vitest';
import type { RunningCli } from './cli.js';
import { testTempDir } from './temp.js';

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

/** `wire` (one request) sent once through `wer-sniff relay --json -o <file>` to a counting
 * upstream (`port`), as users run it: the upstream got all `bodyLength` bytes of its body, the
 * relay stopped cleanly on SIGINT, and -o holds exactly `wire`. Gives the relay's --json output
 * and the -o file. */
export async function relayRecorded(start: (args: string[]) => Promise<RunningCli>, port: number, wire: Buffer, bodyLength: number): Promise<{ stdout: Buffer; file: string }> {
  const file = path.join(testTempDir('wer-sniff-relay-post-'), 'capture.raw');
  const relay = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--json', '-o', file]);
  expect(await sendForCount(relay.port, wire)).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\r\n[\\s\\S]*got ${bodyLength}\n$`));
  relay.child.kill('SIGINT');
  expect(await relay.exited).toBe(0);
  expect(fs.readFileSync(file).equals(wire)).toBe(true);
  return { stdout: relay.stdout(), file };
}
