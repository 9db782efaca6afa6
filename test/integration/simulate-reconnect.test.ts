// simulate against a CER server that closes the connection after each answer: level 2 must
// go out over a new connection, as a Windows client would send it.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { simulate } from '../../src/tools/sim/simulate.js';
import { plainPaint } from '../../src/render/paint.js';
import { MemoryStream } from '../helpers/streams.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** Answers one request per connection, with Connection: close, then closes. */
function closingServer(answer: (head: string) => string): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/Content-Length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      heads.push(head);
      const body = answer(head);
      sock.end(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, heads })));
}

describe('simulate', () => {
  it('reconnects for level 2 when the server closed the level-1 connection', async () => {
    const srv = await closingServer((head) => (head.startsWith('POST') ? 'Bucket=7\r\nBucketTable=1\r\niData=1\r\nDumpFile=\\PersistedCabs\\x.cab\r\n' : ''));
    const out = new MemoryStream();
    const res = await simulate({ to: { host: '127.0.0.1', port: srv.port }, kinds: ['generic'], count: 1, timeoutMs: 2000, out, paint: plainPaint });
    expect(res).toEqual({ reports: 1, cabsSent: 1 });
    expect(srv.heads.map((h) => h.split('\r\n')[0])).toEqual(['POST /stage2.htm HTTP/1.1', 'PUT \\PersistedCabs\\x.cab HTTP/1.1']);
    expect(out.text).toContain('reconnecting for level 2');
    expect(out.text).toContain('level 2 complete');
  });
});
