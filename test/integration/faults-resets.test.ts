// Resets at every stage of an exchange, with real sockets (socket.resetAndDestroy() sends RST):
// client resets against listen; client and upstream resets through relay. Each is reported on
// its connection, nothing crashes, the bytes received are all in -o, and the next client is
// served as usual.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../helpers/cli.js';
import { readVector } from '../helpers/paths.js';
import { events, runCliAsync } from '../helpers/run-async.js';

const LEVEL1 = readVector('level1-appcrash.http');
const PUT = readVector('level2-put.http');
const HEAD_END = LEVEL1.indexOf('\r\n\r\n') + 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-resets-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Step = (s: net.Socket) => Promise<void>;
const write = (b: Buffer | string): Step => async (s) => {
  s.write(b);
  await sleep(60);
};
const awaitData: Step = (s) => new Promise((r) => s.once('data', () => r()));

/** Runs `steps` on a fresh connection, then sends RST (unless the other side closed first);
 * resolves with the bytes written once closed. */
async function clientReset(port: number, steps: Step[]): Promise<Buffer> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  const closed = new Promise((r) => s.once('close', r));
  await new Promise((r) => s.once('connect', r));
  const sent: Buffer[] = [];
  const write = s.write.bind(s);
  s.write = ((b: Buffer | string) => (sent.push(Buffer.from(b)), write(b))) as typeof s.write;
  for (const step of steps) await step(s);
  if (!s.destroyed) s.resetAndDestroy();
  await closed;
  return Buffer.concat(sent);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(25);
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

const closeOf = (cli: RunningCli, conn: number) => events(cli.stdout().toString()).find((e) => e.type === 'close' && e.conn === conn);
const problemsOf = (cli: RunningCli, conn: number) => events(cli.stdout().toString()).filter((e) => e.type === 'problem' && e.conn === conn).map((e) => e.code);

describe('client resets against listen', () => {
  const cases: [string, Step[], (p: string[]) => void][] = [
    ['during the head', [write('POST /stage2.htm HTTP/1.1\r\nHost: x\r\nContent-Le')], (p) => expect(p.length).toBeGreaterThan(0)],
    ['during the body', [write(LEVEL1.subarray(0, HEAD_END + 100))], (p) => expect(p).toContain('truncated-body')],
    ['after the request, before reading the answer', [write(LEVEL1)], (p) => expect(p).not.toContain('truncated-body')],
    ['during the CAB PUT', [write(LEVEL1), awaitData, write(PUT.subarray(0, PUT.length - 300))], (p) => expect(p).toContain('truncated-body')],
  ];

  it('reports each on its connection, keeps every byte in -o, and serves the next client', async () => {
    const raw = path.join(tmp, 'listen.bin');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-o', raw]);
    const sent: Buffer[] = [];
    for (const [i, [what, steps, check]] of cases.entries()) {
      sent.push(await clientReset(cli.port, steps));
      await until(`close of #${i + 1} (${what})`, () => closeOf(cli, i + 1) !== undefined);
      expect(closeOf(cli, i + 1)!.bytesFromClient, what).toBeGreaterThan(0);
      check(problemsOf(cli, i + 1));
    }
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const evs = events(cli.stdout().toString());
    const all = Buffer.concat(sent);
    const firstFour = evs.filter((e) => e.type === 'close' && (e.conn as number) <= 4).reduce((n, e) => n + (e.bytesFromClient as number), 0);
    expect(firstFour).toBe(all.length);
    const captured = fs.readFileSync(raw);
    expect(captured.subarray(0, all.length).equals(all)).toBe(true);
    expect(captured.length).toBeGreaterThan(all.length);
    expect(evs.filter((e) => e.type === 'report').length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('resets through relay', () => {
  /** What the upstream does with its next connection. */
  type Upstream = (s: net.Socket) => void;
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const afterRequest = (then: (s: net.Socket) => void): Upstream => (s) => {
    let got = 0;
    s.on('data', (b) => {
      got += b.length;
      if (got >= LEVEL1.length) then(s);
    });
  };
  const cases: [string, Upstream, Step[], RegExp | undefined, string | undefined][] = [
    ['upstream resets on accept', (s) => s.resetAndDestroy(), [write(LEVEL1)], /upstream/, undefined],
    ['upstream resets during the request', (s) => s.once('data', () => s.resetAndDestroy()), [write(LEVEL1.subarray(0, 40)), write(LEVEL1.subarray(40))], /upstream/, undefined],
    ['upstream resets after the request', afterRequest((s) => s.resetAndDestroy()), [write(LEVEL1)], /upstream/, undefined],
    ['upstream resets during the response head', afterRequest((s) => (s.write('HTTP/1.1 200 OK\r\nContent-Le'), setTimeout(() => s.resetAndDestroy(), 50))), [write(LEVEL1)], /upstream/, undefined],
    ['upstream resets during the response body', afterRequest((s) => (s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'), setTimeout(() => s.resetAndDestroy(), 50))), [write(LEVEL1)], /upstream/, 'truncated-body'],
    ['client resets during the head', (s) => s.on('data', () => {}), [write(LEVEL1.subarray(0, 30))], undefined, undefined],
    ['client resets during the body', (s) => s.on('data', () => {}), [write(LEVEL1.subarray(0, HEAD_END + 50))], undefined, 'truncated-body'],
    ['client resets before the response', afterRequest((s) => setTimeout(() => !s.destroyed && s.write(OK), 300)), [write(LEVEL1)], undefined, undefined],
  ];

  it('reports each, never crashes, and relays the next exchange', async () => {
    const queue: Upstream[] = [];
    const upstream = net.createServer((s) => {
      s.on('error', () => {});
      (queue.shift() ?? afterRequest((x) => x.end(OK)))(s);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as net.AddressInfo).port;
    const cli = await startCli(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--json']);
    try {
      for (const [i, [what, up, steps, notice, problem]] of cases.entries()) {
        queue.push(up);
        const stderrBefore = cli.stderr().length;
        await clientReset(cli.port, [...steps, async () => sleep(what.startsWith('upstream') ? 250 : 0)]);
        await until(`close of #${i + 1} (${what})`, () => closeOf(cli, i + 1) !== undefined);
        if (notice) expect(cli.stderr().slice(stderrBefore), what).toMatch(notice);
        if (problem) expect(problemsOf(cli, i + 1), what).toContain(problem);
      }
      // Still relaying: a whole exchange goes through.
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.connect(cli.port, '127.0.0.1', () => s.write(LEVEL1));
        let got = '';
        s.on('data', (b) => (got += b.toString()));
        s.on('end', () => resolve(got));
        s.on('error', reject);
      });
      expect(reply).toBe(OK);
      expect(cli.child.exitCode).toBe(null);
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited;
      upstream.close();
    }
  }, 60_000);
});
