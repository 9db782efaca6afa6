// `wer-sniff relay` as users run it: Windows-shaped traffic through the relay to a real
// upstream, answers back unchanged, both directions decoded in --json; and a relay whose
// upstream is down keeps serving.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliStarter, runCli, type RunningCli } from '../helpers/cli.js';
import { refusingAddress, sendAndCollect, splitEvery } from '../helpers/net.js';
import { ndjson } from '../helpers/ndjson.js';
import { readVector } from '../helpers/paths.js';
import { peer, skipNote } from '../helpers/peers.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const json = (r: RunningCli) => ndjson(r.stdout());

/** Runs curl without blocking this process (the relay under test writes into a pipe we drain). */
function curl(args: string[]): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const c = spawn('curl', args);
    const out: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => out.push(b));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout: Buffer.concat(out) }));
  });
}

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
    const total = level1.length + put.length;
    await until('the upstream has every byte', () => upstream.stdout().length >= total);
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

  it.skipIf(!peer('python3', 'curl'))(`curl through the relay to python http.server gets the same bytes as directly${skipNote('python3', 'curl')}`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-py-'));
    fs.writeFileSync(path.join(dir, 'report.cab'), readVector('sample-report.cab'));
    // port 0: python picks one and says which (no "free" port picked here and reused)
    const py = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let said = '';
      py.stdout.on('data', (b) => (said += b));
      await until('python http.server to say its port', () => /port (\d+)/.test(said));
      const pyPort = Number(/port (\d+)/.exec(said)![1]);
      const relay = await start(['relay', '-vv', '--to', `127.0.0.1:${pyPort}`, '-p', '0', '-b', '127.0.0.1', '--color', 'never']);
      const direct = (await curl(['-s', `http://127.0.0.1:${pyPort}/report.cab`])).stdout;
      const relayed = (await curl(['-s', `http://127.0.0.1:${relay.port}/report.cab`])).stdout;
      expect(relayed.equals(direct)).toBe(true);
      expect(relayed.equals(readVector('sample-report.cab'))).toBe(true);
      await until('the relay to show the answer', () => /cabinet · 2 files/.test(relay.stdout().toString()));
      relay.child.kill('SIGINT');
      await relay.exited;
      const out = relay.stdout().toString();
      expect(out).toMatch(/▶ GET \/report\.cab HTTP\/1\.1/);
      expect(out).toMatch(/◀ 200 OK \d+ ms/);
      expect(out).toMatch(/cabinet · 2 files/);
    } finally {
      py.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreachable upstream in one line, answers 502 when asked, and keeps serving', async () => {
    const nobody = await refusingAddress();
    const relay = await start(['relay', '--to', nobody.hostPort, '-p', '0', '-b', '127.0.0.1', '--on-upstream-error', '502', '--json']);
    for (let i = 0; i < 2; i++) {
      const reply = await sendAndCollect(relay.port, [readVector('level1-generic.http')]);
      expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    }
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    await nobody.close();
    const lines = relay.stderr().split('\n').filter((l) => l.includes(nobody.hostPort));
    expect(lines.filter((l) => /refused/i.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a bad --to with exit code 2', () => {
    const r = runCli(['relay', '--to', 'nohostport']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected host:port/);
  });
});
