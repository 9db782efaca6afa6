// `wer-sniff relay` as users run it: Windows-shaped traffic through the relay to a real
// upstream, answers back unchanged, both directions decoded in --json; and a relay whose
// upstream is down keeps serving.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCommand, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { sendAndCollect, splitEvery } from '../helpers/net.js';
import { readVector } from '../helpers/paths.js';

const running: RunningCli[] = [];
afterEach(() => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGTERM');
});

async function start(args: string[]) {
  const r = await startCli(args);
  running.push(r);
  return r;
}

const json = (r: RunningCli) => r.stdout().toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('wer-sniff relay (CLI)', () => {
  it('relays a level-1 report and the CAB upload to a CER server byte for byte, decoding both ways', async () => {
    const upstream = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--raw']);
    const relay = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '--json']);
    const level1 = readVector('level1-appcrash.http');
    const viaRelay = await sendAndCollect(relay.port, splitEvery(level1, 333), { delayMs: 2, end: true });
    const dump = /DumpFile=(.*)\r\n/.exec(viaRelay.toString('latin1'))![1]!;
    const cab = readVector('sample-report-mszip.cab');
    const put = Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, 'latin1'),
      Buffer.from(`${cab.length.toString(16)}\r\n`), cab, Buffer.from('\r\n0\r\n\r\n')]);
    const putReply = await sendAndCollect(relay.port, [put]);
    expect(putReply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await new Promise((r) => setTimeout(r, 200));
    upstream.child.kill('SIGINT');
    await upstream.exited;
    // What the upstream received is exactly what the client sent.
    expect(upstream.stdout().equals(Buffer.concat([level1, put]))).toBe(true);

    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    const events = json(relay);
    const responses = events.filter((e) => e.type === 'response');
    expect(responses).toHaveLength(2);
    expect(responses[0].body.kind).toBe('level1-response');
    expect(responses[0].body.level1.values.iData).toBe('1');
    expect(typeof responses[0].latencyMs).toBe('number');
    const report = events.find((e) => e.type === 'report');
    expect(report.report.event.eventType).toBe('APPCRASH');
    const putEvent = events.find((e) => e.type === 'request' && e.method === 'PUT');
    expect(putEvent.body.framing).toBe('chunked');
    expect(putEvent.body.length).toBe(cab.length);
    expect(putEvent.body.cab.files.map((f: { name: string }) => f.name)).toContain('WER5A11.tmp.mdmp');
    expect(events.find((e) => e.type === 'open').upstream).toBe(`127.0.0.1:${upstream.port}`);
    expect(relay.stderr()).toMatch(/relaying to 127\.0\.0\.1:\d+\n/);
  });

  it.skipIf(!hasCommand('python3') || !hasCommand('curl'))('curl through the relay to python http.server gets the same bytes as directly', async () => {
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'wer-sniff-py-'));
    fs.writeFileSync(path.join(dir, 'report.cab'), readVector('sample-report.cab'));
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const pyPort = (probe.address() as net.AddressInfo).port;
    probe.close();
    const py = spawn('python3', ['-m', 'http.server', String(pyPort), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100; i++) {
        if (spawnSync('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${pyPort}/`]).status === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const relay = await start(['relay', '-vv', '--to', `127.0.0.1:${pyPort}`, '-p', '0', '-b', '127.0.0.1', '--color', 'never']);
      const direct = spawnSync('curl', ['-s', `http://127.0.0.1:${pyPort}/report.cab`]).stdout;
      const relayed = spawnSync('curl', ['-s', `http://127.0.0.1:${relay.port}/report.cab`]).stdout;
      expect(relayed.equals(direct)).toBe(true);
      expect(relayed.equals(readVector('sample-report.cab'))).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      relay.child.kill('SIGINT');
      await relay.exited;
      const out = relay.stdout().toString();
      expect(out).toMatch(/▶ GET \/report\.cab HTTP\/1\.1/);
      expect(out).toMatch(/◀ 200 OK \d+ ms/);
      expect(out).toMatch(/cabinet · 2 files/);
    } finally {
      py.kill('SIGTERM');
    }
  });

  it('reports an unreachable upstream in one line, answers 502 when asked, and keeps serving', async () => {
    const relay = await start(['relay', '--to', '127.0.0.1:9', '-p', '0', '-b', '127.0.0.1', '--on-upstream-error', '502', '--json']);
    for (let i = 0; i < 2; i++) {
      const reply = await sendAndCollect(relay.port, [readVector('level1-generic.http')]);
      expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    }
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    const lines = relay.stderr().split('\n').filter((l) => l.includes('127.0.0.1:9'));
    expect(lines.filter((l) => /refused/i.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a bad --to with exit code 2', () => {
    const r = runCli(['relay', '--to', 'nohostport']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected host:port/);
  });
});
