// Half-close through the `relay` command (the README: "both ways with backpressure and
// half-close"): a client that sends its request and shuts down its sending side still gets the
// upstream's answer, which the upstream writes only after it saw that FIN; and an upstream that
// half-closes first still receives what the client sends after. Real sockets on 127.0.0.1.
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { readVector } from '../helpers/paths.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const LEVEL1 = readVector('level1-appcrash.http');
const ANSWER = 'HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\nBucket=1\r\nBucketTable=1\r\n\r\n';

/** An upstream whose connections after the first get `onConnection`: the relay's start-up
 * check of its upstream opens one empty connection first (`probed` resolves when it came). */
async function upstream(onConnection: (s: net.Socket) => void): Promise<{ port: number; probed: Promise<void>; close(): void }> {
  let seen = 0;
  let probed: () => void = () => {};
  const probe = new Promise<void>((r) => (probed = r));
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    if (seen++ === 0) {
      s.resume();
      s.on('end', () => s.end());
      return probed();
    }
    onConnection(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, probed: probe, close: () => server.close() };
}

describe('relay half-close (CLI)', () => {
  it('the client\'s FIN reaches the upstream, whose answer after it still reaches the client', async () => {
    let sawFin = false;
    let got = 0;
    const up = await upstream((s) => {
      s.on('data', (b) => (got += b.length));
      // Answers only once the client's side is closed: the relay must pass the FIN on and keep
      // the way back open.
      s.on('end', () => {
        sawFin = true;
        s.end(ANSWER);
      });
    });
    try {
      const r = await start(['relay', '--to', `127.0.0.1:${up.port}`, '-p', '0', '-b', '127.0.0.1', '--json']);
      await up.probed;
      const c = net.connect({ port: r.port, host: '127.0.0.1', allowHalfOpen: true });
      const reply: Buffer[] = [];
      c.on('data', (b) => reply.push(b));
      await once(c, 'connect');
      c.end(LEVEL1);
      await once(c, 'end');
      expect(sawFin).toBe(true);
      expect(got).toBe(LEVEL1.length);
      expect(Buffer.concat(reply).toString('latin1')).toBe(ANSWER);
      c.destroy();
      await until('the relayed exchange in --json', () => ndjson(r.stdout()).some((e) => e.type === 'response'));
      const events = ndjson(r.stdout());
      expect(events.find((e) => e.type === 'request')?.method).toBe('POST');
      expect(events.find((e) => e.type === 'response')?.status).toBe(200);
    } finally {
      up.close();
    }
  });

  it('an upstream that half-closes first still gets the bytes the client sends after', async () => {
    let got = Buffer.alloc(0);
    let ended: () => void = () => {};
    const upstreamDone = new Promise<void>((r) => (ended = r));
    const up = await upstream((s) => {
      s.end(ANSWER); // our side is done at once
      s.on('data', (b) => (got = Buffer.concat([got, b])));
      s.on('end', () => ended());
    });
    try {
      const r = await start(['relay', '--to', `127.0.0.1:${up.port}`, '-p', '0', '-b', '127.0.0.1', '--json']);
      await up.probed;
      const c = net.connect({ port: r.port, host: '127.0.0.1', allowHalfOpen: true });
      c.on('data', () => {});
      await once(c, 'connect');
      await once(c, 'end'); // the upstream's FIN came through
      c.end(LEVEL1); // and the client still sends, then closes
      await upstreamDone;
      expect(got.equals(LEVEL1)).toBe(true);
      c.destroy();
    } finally {
      up.close();
    }
  });
});
