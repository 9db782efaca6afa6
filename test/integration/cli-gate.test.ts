// The README's limits and access control through the CLI, not only the library gate: `listen`
// and `relay` with --allow, --deny, --allowfile and --denyfile against real loopback addresses
// (Linux lets a client pick 127.0.0.x as its source), --max-conns, --idle-timeout with a
// duration, with `off`, and its 5-minute default; refusals are one stderr line each, a `refused`
// event in --json, and the count in the stop summary.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter, type RunningCli } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { readVector } from '../helpers/paths.js';
import { sleep, until } from '../helpers/wait.js';
import { createProgram, type Actions } from '../../src/cli/program.js';
import { resolveServerFlags, type ServerFlags } from '../../src/cli/server-flags.js';
import { exchange } from '../helpers/net.js';

const start = cliStarter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-gate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const LEVEL1 = readVector('level1-generic.http');


async function stop(r: RunningCli) {
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
  return ndjson(r.stdout());
}

const refusedLines = (r: RunningCli) => r.stderr().split('\n').filter((l) => l.startsWith('wer-sniff: refused'));

describe('listen --allow / --deny / --allowfile / --denyfile', () => {
  it('--allow 127.0.0.2: 127.0.0.1 is refused unread (one line, a refused event, counted), 127.0.0.2 is answered', async () => {
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--allow', '127.0.0.2', '--json']);
    const denied = await exchange(r.port, LEVEL1, { localAddress: '127.0.0.1' });
    expect(denied.reply.length).toBe(0);
    const ok = await exchange(r.port, LEVEL1, { localAddress: '127.0.0.2' });
    expect(ok.reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await until('the refusal line', () => refusedLines(r).length === 1);
    const evs = await stop(r);
    expect(refusedLines(r)).toEqual([expect.stringMatching(/^wer-sniff: refused 127\.0\.0\.1:\d+: not in --allow$/)]);
    expect(evs.filter((e) => e.type === 'refused')).toEqual([expect.objectContaining({ conn: 0, reason: 'denied', message: 'not in --allow', peer: expect.stringMatching(/^127\.0\.0\.1:/) })]);
    expect(evs.filter((e) => e.type === 'open').map((e) => e.peer.replace(/:\d+$/, ''))).toEqual(['127.0.0.2']);
    expect(evs.filter((e) => e.type === 'report')).toHaveLength(1);
    expect(r.stderr()).toMatch(/stopped: 1 connection, .*, 1 refused\n/);
  });

  it('--allowfile and --denyfile (comments, blank lines, repeatable) with --deny: deny wins; the rest of 127/8 is served', async () => {
    fs.writeFileSync(path.join(tmp, 'allow.txt'), '# the lab\r\n127.0.0.0/8\r\n\r\n');
    fs.writeFileSync(path.join(tmp, 'deny1.txt'), '# broken machines\n127.0.0.4\n');
    fs.writeFileSync(path.join(tmp, 'deny2.txt'), '127.0.0.6/32 \n');
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--allowfile', path.join(tmp, 'allow.txt'), '--denyfile', path.join(tmp, 'deny1.txt'),
      '--denyfile', path.join(tmp, 'deny2.txt'), '--deny', '127.0.0.3', '--json']);
    const replies: Record<string, number> = {};
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7']) {
      replies[from] = (await exchange(r.port, LEVEL1, { localAddress: from })).reply.length;
    }
    expect(Object.entries(replies).filter(([, n]) => n > 0).map(([a]) => a)).toEqual(['127.0.0.5', '127.0.0.7']);
    await until('three refusal lines', () => refusedLines(r).length === 3);
    const evs = await stop(r);
    expect(evs.filter((e) => e.type === 'refused').map((e) => [e.peer.replace(/:\d+$/, ''), e.message]))
      .toEqual([['127.0.0.3', 'matches --deny'], ['127.0.0.4', 'matches --deny'], ['127.0.0.6', 'matches --deny']]);
    expect(r.stderr()).toMatch(/stopped: 2 connections, .*, 3 refused\n/);
  });
});

describe('relay --allow / --deny', () => {
  it('a refused client never causes an upstream connection; an allowed one is relayed', async () => {
    let accepted = 0;
    const upstream = net.createServer((s) => {
      accepted++;
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    try {
      const port = (upstream.address() as net.AddressInfo).port;
      fs.writeFileSync(path.join(tmp, 'relay-deny.txt'), '127.0.0.8\n');
      const r = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--allow', '127.0.0.8,127.0.0.9', '--denyfile', path.join(tmp, 'relay-deny.txt'), '--json']);
      expect((await exchange(r.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.1' })).reply.length).toBe(0);
      expect((await exchange(r.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.8' })).reply.length).toBe(0);
      expect((await exchange(r.port, 'GET / HTTP/1.1\r\n\r\n', { localAddress: '127.0.0.9' })).reply.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
      await until('two refusal lines', () => refusedLines(r).length === 2);
      const evs = await stop(r);
      // the relay's start-up check of its upstream, and the allowed client's connection
      expect(accepted).toBe(2);
      expect(evs.filter((e) => e.type === 'refused').map((e) => e.message)).toEqual(['not in --allow', 'matches --deny']);
      expect(r.stderr()).toMatch(/stopped: 1 connection, .*, 2 refused\n/);
    } finally {
      upstream.close();
    }
  });
});

describe('--max-conns through the CLI', () => {
  it('listen --max-conns 2: a third client is refused with the reason; a freed slot is used again', async () => {
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--max-conns', '2', '--json']);
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = net.connect({ port: r.port, host: '127.0.0.1' });
        s.on('error', () => {});
        await once(s, 'connect');
        held.push(s);
      }
      // the listener has both: their open events are out
      await until('two opens', () => ndjson(r.stdout()).filter((e) => e.type === 'open').length === 2);
      expect((await exchange(r.port, LEVEL1)).reply.length).toBe(0);
      await until('the refusal line', () => refusedLines(r).length === 1);
      expect(refusedLines(r)[0]).toMatch(/^wer-sniff: refused 127\.0\.0\.1:\d+: 2 connections open \(--max-conns 2\)$/);
      held[0]!.destroy();
      await until('a close', () => ndjson(r.stdout()).some((e) => e.type === 'close'));
      expect((await exchange(r.port, LEVEL1)).reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    } finally {
      for (const s of held) s.destroy();
    }
    const evs = await stop(r);
    expect(evs.filter((e) => e.type === 'refused').map((e) => e.reason)).toEqual(['max-conns']);
    expect(r.stderr()).toMatch(/stopped: 3 connections, .*, 1 refused\n/);
  });
});

describe('--idle-timeout through the CLI', () => {
  const partial = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc');

  it('listen --idle-timeout 300ms closes a silent client, keeps its bytes, one stderr line', async () => {
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--idle-timeout', '300ms', '--json']);
    const t0 = Date.now();
    const res = await exchange(r.port, partial, { end: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(res.reply.length).toBe(0);
    await until('the close event', () => ndjson(r.stdout()).some((e) => e.type === 'close'));
    const evs = await stop(r);
    const close = evs.find((e) => e.type === 'close')!;
    expect(close).toMatchObject({ reason: 'idle for 300 ms (--idle-timeout)', bytesFromClient: partial.length });
    expect(evs.filter((e) => e.type === 'problem').map((e) => e.code)).toEqual(['truncated-body']);
    expect(r.stderr().split('\n').filter((l) => l.includes('--idle-timeout'))).toEqual([expect.stringMatching(/idle for 300 ms \(--idle-timeout\); its 53 B are kept$/)]);
  });

  it('relay --idle-timeout 1s: silence both ways closes the link', async () => {
    const upstream = net.createServer((s) => s.on('error', () => {})); // reads, never answers
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    try {
      const port = (upstream.address() as net.AddressInfo).port;
      const r = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--idle-timeout', '1s', '--json']);
      const t0 = Date.now();
      const res = await exchange(r.port, partial, { end: false });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(res.reply.length).toBe(0);
      await until('the close event', () => ndjson(r.stdout()).some((e) => e.type === 'close'));
      const evs = await stop(r);
      expect(evs.find((e) => e.type === 'close')).toMatchObject({ reason: 'idle for 1 s (--idle-timeout)', bytesFromClient: partial.length });
    } finally {
      upstream.close();
    }
  });

  it('--idle-timeout off: a client silent for longer than a short timeout is still served', async () => {
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--idle-timeout', 'off', '--json']);
    const s = net.connect({ port: r.port, host: '127.0.0.1' });
    s.on('error', () => {});
    await once(s, 'connect');
    s.write(LEVEL1.subarray(0, 20));
    await sleep(1_500); // the subject is silence itself
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.end(LEVEL1.subarray(20));
    await once(s, 'close');
    expect(Buffer.concat(got).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    const evs = await stop(r);
    expect(evs.find((e) => e.type === 'close')!.reason).toBeUndefined();
    expect(r.stderr()).not.toContain('--idle-timeout');
  });

  it('the default is 5 minutes: listen and relay without the flag give the gate 300 000 ms; off gives none', async () => {
    const seen: Record<string, unknown>[] = [];
    const record = async (flags: Record<string, unknown>) => (seen.push(flags), 0);
    const actions = { listen: record, relay: record } as unknown as Actions;
    await createProgram(actions).parseAsync(['listen'], { from: 'user' });
    await createProgram(actions).parseAsync(['relay', '--to', '127.0.0.1:1273'], { from: 'user' });
    await createProgram(actions).parseAsync(['listen', '--idle-timeout', 'off'], { from: 'user' });
    await createProgram(actions).parseAsync(['listen', '--idle-timeout', '2m'], { from: 'user' });
    const gate = (f: Record<string, unknown>) => resolveServerFlags({ ...f, bind: '127.0.0.1' } as unknown as ServerFlags).spec.idleTimeoutMs;
    expect(seen.map(gate)).toEqual([300_000, 300_000, 0, 120_000]);
  });
});
