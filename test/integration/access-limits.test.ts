// The gate on real loopback sockets, for listen and relay: --allow/--deny (IPv4, IPv6 and
// IPv4-mapped peers) refuse before a byte is read, --max-conns refuses with a reason, and
// --idle-timeout closes silent connections while keeping their bytes. Clients pick their local
// address (127.0.0.2, …) with net.connect({ localAddress }), which Linux allows for 127/8.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { startRelay } from '../../src/sources/net/relay.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import { NdjsonSink } from '../../src/sinks/ndjson.js';
import { RawSink } from '../../src/sinks/raw.js';
import { AccessList, parseAddressRule, type AddressRule } from '../../src/sources/net/access-list.js';
import type { GateOptions, Refusal } from '../../src/sources/net/gate.js';
import { gateFromSpec, type GateSpec } from '../../src/sources/net/gate-spec.js';
import type { RelayHandle, RelayOptions } from '../../src/sources/net/relay.js';
import type * as RelayThread from '../../src/sources/net/relay-thread.js';
import tls from 'node:tls';
import { setUpTls } from '../../src/cli/tls-setup.js';
import { MemoryStream } from '../helpers/streams.js';
import { readVector } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';
import { sleep, until } from '../helpers/wait.js';
import { exchange } from '../helpers/net.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const rules = (...texts: string[]): AddressRule[] => texts.map((t) => parseAddressRule(t) as AddressRule);
type StartRelay = (o: Omit<RelayOptions, 'gate'> & { gate: GateSpec }) => Promise<RelayHandle>;
const impls: Array<[string, () => Promise<StartRelay>]> = [
  ['one thread', async () => (o) => startRelay({ ...o, gate: gateFromSpec(o.gate) })],
  ['relay thread', async () => ((await import('../../dist/sources/net/relay-thread.js' as string)) as typeof RelayThread).startRelayThread],
];


const access = (allow: string[], deny: string[] = []) => new AccessList(rules(...allow), rules(...deny));

async function listen(gate: GateOptions, bind = '127.0.0.1') {
  const json = new MemoryStream();
  const raw = new MemoryStream();
  const recorder = new Recorder({ sinks: [new NdjsonSink(json), new RawSink(raw)] });
  const refused: Refusal[] = [];
  const notices: string[] = [];
  const h = await startListener({
    port: 0, bind, recorder, server: new CerServer({ mode: 'cer', answer: { ask: [] } }), gate,
    onRefused: (r) => refused.push(r), onNotice: (m) => notices.push(m),
  });
  cleanups.push(() => h.close());
  const events = () => ndjson(json.text);
  return { h, raw, recorder, refused, notices, events };
}


const LEVEL1 = () => readVector('level1-appcrash.http');

/** Whether this machine can listen on ::1 (IPv6 may be off in containers). */
async function hasIpv6(): Promise<boolean> {
  const s = net.createServer();
  try {
    s.listen(0, '::1');
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}
const IPV6 = await hasIpv6();

describe('--allow / --deny', () => {
  it('allow 127.0.0.2/32: a client from 127.0.0.1 is refused unread, one from 127.0.0.2 is served', async () => {
    const { h, raw, refused, events } = await listen({ access: access(['127.0.0.2/32']) });
    const denied = await exchange(h.port, LEVEL1(), { localAddress: '127.0.0.1' });
    expect(denied.reply.length).toBe(0);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: 'denied', message: 'not in --allow' });
    expect(refused[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(events()).toEqual([]); // no open, no bytes, no close
    expect(raw.buffer.length).toBe(0);

    const ok = await exchange(h.port, LEVEL1(), { localAddress: '127.0.0.2' });
    expect(ok.reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw.buffer.equals(LEVEL1())).toBe(true);
    expect(events().map((e) => e.type)).toEqual(['open', 'request', 'report', 'response', 'close']);
    expect(events()[0].peer).toMatch(/^127\.0\.0\.2:/);
  });

  it('deny wins over allow; a file-style list with comments works the same', async () => {
    const { h, refused, raw } = await listen({ access: access(['127.0.0.0/8'], ['127.0.0.3']) });
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.3' });
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.4' });
    expect(refused.map((r) => r.message)).toEqual(['matches --deny']);
    expect(raw.text).toBe('GET / HTTP/1.1\r\n\r\n');
  });

  it('a refused client is closed before a byte is read, even one that sends a megabyte at once', async () => {
    const { h, recorder, refused } = await listen({ access: access([], ['127.0.0.1']) });
    const r = await exchange(h.port, Buffer.alloc(1024 * 1024, 0x41), { end: false });
    expect(r.reply.length).toBe(0);
    expect(refused).toHaveLength(1);
    expect(recorder.totals).toMatchObject({ connections: 0, bytesFromClient: 0 });
  });

  it.skipIf(!IPV6)('IPv6: deny ::1 on a dual-stack listener refuses ::1 but serves 127.0.0.1', async () => {
    const { h, refused } = await listen({ access: access([], ['::1']) }, '::');
    const v6 = await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { host: '::1' });
    const v4 = await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { host: '127.0.0.1' });
    expect(v6.reply.length).toBe(0);
    expect(v4.reply.toString()).toMatch(/^HTTP\/1\.1 /);
    expect(refused.map((r) => r.peer)).toEqual([expect.stringMatching(/^\[::1\]:\d+$/)]);
  });

  it.skipIf(!IPV6)('IPv4-mapped peers (::ffff:127.0.0.5 on a :: listener) match IPv4 rules', async () => {
    const { h, refused, events } = await listen({ access: access(['127.0.0.5/32', '::1']) }, '::');
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { host: '127.0.0.1', localAddress: '127.0.0.6' });
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { host: '127.0.0.1', localAddress: '127.0.0.5' });
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n', { host: '::1' });
    expect(refused.map((r) => r.peer)).toEqual([expect.stringMatching(/^127\.0\.0\.6:\d+$/)]);
    expect(events().filter((e) => e.type === 'open').map((e) => e.peer.replace(/:\d+$/, ''))).toEqual(['127.0.0.5', '[::1]']);
  });
});

describe('--max-conns', () => {
  it('beyond the limit a connection is accepted and closed with a reason; a freed slot is reused', async () => {
    const { h, refused, events } = await listen({ maxConns: 2 });
    const held: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const s = net.connect({ port: h.port, host: '127.0.0.1' });
      s.on('error', () => {});
      await once(s, 'connect');
      held.push(s);
    }
    await until('the server to accept both', () => events().filter((e) => e.type === 'open').length === 2);
    const third = await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n');
    expect(third.reply.length).toBe(0);
    expect(refused).toEqual([expect.objectContaining({ reason: 'max-conns', message: '2 connections open (--max-conns 2)' })]);
    held[0]!.destroy();
    await until('the freed slot', () => events().some((e) => e.type === 'close'));
    const fourth = await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n');
    expect(fourth.reply.toString()).toMatch(/^HTTP\/1\.1 /);
    held[1]!.destroy();
    expect(events().filter((e) => e.type === 'open')).toHaveLength(3);
  });
});

describe('--idle-timeout', () => {
  it('a silent client is closed after the timeout; its partial request is kept and flagged', async () => {
    const { h, raw, events, notices } = await listen({ idleTimeoutMs: 300 });
    const partial = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc');
    const t0 = Date.now();
    const r = await exchange(h.port, partial, { end: false });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
    expect(r.reply.length).toBe(0);
    expect(raw.buffer.equals(partial)).toBe(true);
    const evs = events();
    // The problem about the request follows the request's event.
    expect(evs.map((e) => e.type)).toEqual(['open', 'request', 'problem', 'close']);
    expect(evs[2].code).toBe('truncated-body');
    expect(evs[1].body).toMatchObject({ length: 3, complete: false });
    expect(evs[3].reason).toMatch(/idle for 300 ms/);
    expect(evs[3].bytesFromClient).toBe(partial.length);
    expect(notices[0]).toMatch(/^closed #1 127\.0\.0\.1:\d+: idle for 300 ms \(--idle-timeout\); its 53 B are kept$/);
  });

  it('a slow client that keeps sending is not cut off: the timer measures silence, not age', async () => {
    const { h, raw, events } = await listen({ idleTimeoutMs: 300 });
    const req = Buffer.from('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    await once(s, 'connect');
    for (const byte of req) {
      s.write(Buffer.from([byte]));
      await sleep(40); // the slowness is the subject: ~1.3 s in all, far longer than 300 ms
    }
    const reply = await new Promise<Buffer>((resolve) => s.once('data', resolve));
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 /);
    s.end();
    await once(s, 'close');
    expect(raw.buffer.equals(req)).toBe(true);
    expect(events().find((e) => e.type === 'close').reason).toBeUndefined();
  });
});

// startRelay on the test's thread, and the relay thread the CLI uses (built into dist/ by
// `npm test`), which builds its own gate from the same rules.
describe.each(impls)('the relay behind the gate, %s', (_name, load) => {
  let start: StartRelay;
  beforeAll(async () => {
    start = await load();
  });

  async function upstream(onSocket: (s: net.Socket) => void) {
    let accepted = 0;
    const sockets: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      accepted++;
      sockets.push(s);
      s.on('error', () => {});
      onSocket(s);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    });
    return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
  }

  async function relay(to: number, gate: Partial<GateSpec>) {
    const refused: Refusal[] = [];
    const notices: string[] = [];
    const closed: Array<string | undefined> = [];
    const client: Buffer[] = [];
    const server: Buffer[] = [];
    const h = await start({
      port: 0, bind: '127.0.0.1', to: { host: '127.0.0.1', port: to }, connectTimeoutMs: 2000, onUpstreamError: 'close', gate: { allow: [], deny: [], ...gate },
      onChunk: (c) => (c.source === 'client' ? client : server).push(c.bytes),
      onOpen: () => {}, onClose: (_c, reason) => closed.push(reason), onNotice: (m) => notices.push(m),
      onRefused: (r) => refused.push(r),
    });
    cleanups.push(() => h.close());
    return { h, refused, notices, closed, client, server };
  }

  it('a denied client never causes an upstream connection', async () => {
    const up = await upstream((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const r = await relay(up.port, { allow: rules('127.0.0.9') });
    const res = await exchange(r.h.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.8' });
    expect(res.reply.length).toBe(0);
    await until('the refusal', () => r.refused.length > 0);
    expect(r.refused).toEqual([expect.objectContaining({ reason: 'denied' })]);
    expect(up.accepted()).toBe(0);
    expect(r.client).toEqual([]);
    const ok = await exchange(r.h.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.9' });
    expect(ok.reply.toString()).toMatch(/^HTTP\/1\.1 200/);
    expect(up.accepted()).toBe(1);
  });

  it('idle counts both directions: an upstream that trickles its answer keeps the link open', async () => {
    const answer = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789');
    const up = await upstream((s) => {
      s.once('data', async () => {
        for (const byte of answer) {
          if (s.destroyed) return;
          s.write(Buffer.from([byte]));
          await sleep(25); // the trickle is the subject: ~1.2 s, timeout 300 ms
        }
        s.end();
      });
    });
    const r = await relay(up.port, { idleTimeoutMs: 300 });
    const res = await exchange(r.h.port, 'GET / HTTP/1.1\r\n\r\n', { end: false });
    expect(res.reply.equals(answer)).toBe(true);
    await until('the whole answer tapped', () => Buffer.concat(r.server).length >= answer.length);
    expect(Buffer.concat(r.server).equals(answer)).toBe(true);
    expect(r.notices).toEqual([]);
  });

  it('silence both ways closes the link after the timeout, with the bytes so far tapped', async () => {
    const up = await upstream(() => {}); // reads, never answers
    const r = await relay(up.port, { idleTimeoutMs: 300 });
    const res = await exchange(r.h.port, 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', { end: false });
    expect(res.reply.length).toBe(0);
    await until('the idle notice', () => r.notices.length > 0);
    expect(Buffer.concat(r.client).toString()).toBe('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab');
    expect(r.notices).toEqual([expect.stringMatching(/^closed #1 127\.0\.0\.1:\d+: idle for 300 ms \(--idle-timeout\); its 40 B are kept$/)]);
    await until('the close', () => r.closed.length > 0);
    expect(r.closed).toEqual(['idle for 300 ms (--idle-timeout)']);
  });

  it('--max-conns counts relayed clients', async () => {
    const up = await upstream(() => {});
    const r = await relay(up.port, { maxConns: 1 });
    const first = net.connect({ port: r.h.port, host: '127.0.0.1' });
    first.on('error', () => {});
    await once(first, 'connect');
    await until('the relay to take the first client upstream', () => up.accepted() === 1);
    const second = await exchange(r.h.port, 'x');
    expect(second.reply.length).toBe(0);
    await until('the refusal', () => r.refused.length > 0);
    expect(r.refused.map((x) => x.reason)).toEqual(['max-conns']);
    expect(up.accepted()).toBe(1);
    first.destroy();
  });
});

describe('TLS at the gate', () => {
  it('a client that never starts the handshake is refused after the handshake timeout; failed handshakes free their --max-conns slot', async () => {
    const setup = setUpTls({ tls: true }, '127.0.0.1')!;
    const { h, refused, events } = await listen({ tls: setup.context, handshakeTimeoutMs: 200, maxConns: 1 });
    const silent = net.connect({ port: h.port, host: '127.0.0.1' });
    silent.on('error', () => {});
    const t0 = Date.now();
    await once(silent, 'close');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(refused.map((r) => r.message)).toEqual(['TLS handshake failed: no TLS handshake within 0.2 s']);
    await exchange(h.port, 'GET / HTTP/1.1\r\n\r\n'); // plain text on the TLS port
    expect(refused.at(-1)!.message).toMatch(/the client did not speak TLS/);
    // both slots were given back: a real TLS client gets in
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false }, () => s.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.on('data', (b) => (got += b));
      s.on('error', reject);
      s.on('close', () => resolve(got));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(refused).toHaveLength(2);
    await until('the server side to close just after the client', () => events().some((e) => e.type === 'close'));
    expect(events().map((e) => e.type)).toEqual(['open', 'request', 'response', 'close']);
  });

  it('--idle-timeout applies to TLS connections too, and their plaintext so far is kept', async () => {
    const setup = setUpTls({ tls: true }, '127.0.0.1')!;
    const { h, raw, events, notices } = await listen({ tls: setup.context, idleTimeoutMs: 300 });
    const partial = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 10\r\n\r\nab';
    const s = tls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false }, () => s.write(partial));
    s.on('error', () => {});
    await once(s, 'close');
    expect(raw.text).toBe(partial);
    const evs = events();
    expect(evs.map((e) => e.type)).toEqual(['open', 'request', 'problem', 'close']);
    expect(evs[0].tls).toBe(true);
    expect(evs[3].reason).toBe('idle for 300 ms (--idle-timeout)');
    expect(notices).toHaveLength(1);
  });

  it('stopping does not wait for a client stuck in its TLS handshake', async () => {
    const setup = setUpTls({ tls: true }, '127.0.0.1')!;
    const { h } = await listen({ tls: setup.context }); // default 30 s handshake timeout
    const stuck = net.connect({ port: h.port, host: '127.0.0.1' });
    stuck.on('error', () => {});
    await once(stuck, 'connect');
    await sleep(50); // no event says the server took it: a little time so it usually has (close must not wait either way)
    const stuckClosed = once(stuck, 'close'); // may happen before close() returns
    const t0 = Date.now();
    await h.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await stuckClosed;
  });
});
