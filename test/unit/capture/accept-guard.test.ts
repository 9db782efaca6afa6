// Accept failures after the server listens (EMFILE when the process is out of descriptors and
// libuv's own spare is gone): the run goes on, the guard's spare descriptor lets the one waiting
// connection in so it can be turned away at once (reported as no-descriptors, nothing read),
// the spare is taken again, and the next client is served. Real sockets on 127.0.0.1.
import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGate, GATED_SERVER_OPTIONS, type Refusal } from '../../../src/sources/net/gate.js';

const linux = process.platform === 'linux';
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
const emfile = () => Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', errno: -24, syscall: 'accept' });

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function serve() {
  const refusals: Refusal[] = [];
  const notices: string[] = [];
  const served: Buffer[] = [];
  const gate = new ConnectionGate({}, (r) => refusals.push(r));
  const server = net.createServer(GATED_SERVER_OPTIONS, (raw) => gate.accept(raw, (s) => {
    s.on('data', (b) => {
      served.push(b);
      s.end('ok');
    });
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gate.guardAccepts(server, (l) => notices.push(l));
  cleanup = async () => {
    gate.destroyAll();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { server, gate, refusals, notices, served, port: (server.address() as net.AddressInfo).port };
}

/** Connects, sends `text`, resolves with what came back before the close. */
async function ask(port: number, text: string): Promise<string> {
  const c = net.connect(port, '127.0.0.1');
  let got = '';
  c.on('data', (b) => (got += b));
  c.on('error', () => {});
  await once(c, 'connect');
  c.write(text);
  await once(c, 'close');
  return got;
}

describe('accept failures after listening', () => {
  it('EMFILE: no crash; the next connection is turned away unread and reported, the one after served', async () => {
    const { server, refusals, notices, served, port } = await serve();
    const before = linux ? openFds() : 0;
    // Unhandled, this event would throw here (and end a real run).
    expect(() => server.emit('error', emfile())).not.toThrow();
    if (linux) expect(openFds()).toBe(before - 1); // the spare was given up for the next accept
    expect(await ask(port, 'first')).toBe('');
    expect(refusals.map((r) => r.reason)).toEqual(['no-descriptors']);
    expect(refusals[0]!.message).toMatch(/out of file descriptors.*ulimit -n/);
    if (linux) expect(openFds()).toBe(before); // taken again
    expect(await ask(port, 'second')).toBe('ok');
    expect(Buffer.concat(served).toString()).toBe('second');
    expect(notices).toEqual([]);
  });

  it('a failure while the spare is already given up changes nothing more (no second connection turned away)', async () => {
    const { server, refusals, port } = await serve();
    server.emit('error', emfile());
    server.emit('error', emfile()); // no spare left to give: libuv retries, a close frees one
    expect(await ask(port, 'a')).toBe('');
    expect(await ask(port, 'b')).toBe('ok');
    expect(refusals).toHaveLength(1);
  });

  it('other accept failures: said once in words, still listening', async () => {
    const { server, notices, port } = await serve();
    for (let i = 0; i < 3; i++) server.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS', syscall: 'accept' }));
    expect(notices).toEqual(['could not accept a connection (ENOBUFS): accept ENOBUFS; still listening']);
    expect(await ask(port, 'x')).toBe('ok');
  });
});
