// Resets at every stage of an exchange, with real sockets (socket.resetAndDestroy() sends RST):
// client resets against listen; client and upstream resets through relay. Each is reported on
// its connection, nothing crashes, the bytes received are all in -o, and the next client is
// served as usual.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliStarter, type RunningCli } from '../helpers/cli.js';
import { readVector } from '../helpers/paths.js';
import { events, runCliAsync } from '../helpers/run-async.js';
import { until } from '../helpers/wait.js';

const LEVEL1 = readVector('level1-appcrash.http');
const PUT = readVector('level2-put.http');
const HEAD_END = LEVEL1.indexOf('\r\n\r\n') + 4;

const startCli = cliStarter(); // ends what it started after each test, also when one fails
let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-resets-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Step = (s: net.Socket) => Promise<void>;
/** How many client bytes the process under test has read so far (its -o file), and how many
 * this file has sent in all: a reset must come after the other side has read what was sent,
 * or the kernel drops it unread. */
let readSoFar: () => number = () => 0;
let sentTotal = 0;
const write = (b: Buffer | string): Step => async (s) => {
  s.write(b);
  sentTotal += Buffer.byteLength(b);
  await until(`the other side to read ${sentTotal} B`, () => readSoFar() >= sentTotal);
};
/** Writes without waiting: the other side may be gone already (an upstream reset). */
const send = (b: Buffer | string): Step => async (s) => {
  if (!s.destroyed) s.write(b);
};
const awaitData: Step = (s) => new Promise((r) => s.once('data', () => r()));
/** The relay closes the client when its upstream resets. */
const awaitClose: Step = async (s) => until('the relay to close the client', () => s.destroyed);
const fileSize = (f: string) => () => (fs.existsSync(f) ? fs.statSync(f).size : 0);

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


const closeOf = (cli: RunningCli, conn: number) => events(cli.stdout().toString()).find((e) => e.type === 'close' && e.conn === conn);
const problemsOf = (cli: RunningCli, conn: number) => events(cli.stdout().toString()).filter((e) => e.type === 'problem' && e.conn === conn).map((e) => e.code);

describe('client resets against listen', () => {
  const cases: [string, Step[], (p: string[]) => void][] = [
    ['during the head', [write('POST /stage2.htm HTTP/1.1\r\nHost: x\r\nContent-Le')], (p) => expect(p).toEqual(['truncated-head'])],
    // the report is cut short too: its XML cannot be complete
    ['during the body', [write(LEVEL1.subarray(0, HEAD_END + 100))], (p) => expect([...p].sort()).toEqual(['bad-xml', 'truncated-body'])],
    ['after the request, before reading the answer', [write(LEVEL1)], (p) => expect(p).toEqual([])],
    ['during the CAB PUT', [write(LEVEL1), awaitData, write(PUT.subarray(0, PUT.length - 300))], // the vector's PUT path was not issued by this server; the cut CAB cannot be read
      (p) => expect([...p].sort()).toEqual(['bad-cab', 'truncated-body', 'unknown-dump-path'])],
  ];

  it('reports each on its connection, keeps every byte in -o, and serves the next client', async () => {
    const raw = path.join(tmp, 'listen.bin');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-o', raw]);
    readSoFar = fileSize(raw);
    sentTotal = 0;
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
  /** The problems of a request cut after `read` bytes (the relay stops reading the client
   * once the upstream is gone, so how much of it the tap saw is a race). */
  const cutAt = (read: number): string[] => (read >= LEVEL1.length ? [] : read < HEAD_END ? ['truncated-head'] : ['bad-xml', 'truncated-body']);
  // what the upstream does, what the client does, the stderr notice, the exact problems (of
  // the bytes the relay read from the client, when that can vary)
  const cases: [string, Upstream, Step[], RegExp, string[] | ((read: number) => string[])][] = [
    ['upstream resets on accept', (s) => s.resetAndDestroy(), [send(LEVEL1), awaitClose], /^wer-sniff: upstream (?:127\.0\.0\.1:\d+ reset the connection \(ECONNRESET\) for #1|reset the connection mid-stream for #1 after .*)\n$/, []],
    ['upstream resets during the request', (s) => s.once('data', () => s.resetAndDestroy()), [send(LEVEL1.subarray(0, 40)), send(LEVEL1.subarray(40)), awaitClose], /^wer-sniff: upstream reset the connection mid-stream for #2 after /, cutAt],
    ['upstream resets after the request', afterRequest((s) => s.resetAndDestroy()), [send(LEVEL1), awaitClose], /^wer-sniff: upstream reset the connection mid-stream for #3 after /, []],
    ['upstream resets during the response head', afterRequest((s) => (s.write('HTTP/1.1 200 OK\r\nContent-Le'), setTimeout(() => s.resetAndDestroy(), 50))), [send(LEVEL1), awaitClose], /^wer-sniff: upstream reset the connection mid-stream for #4 after /, ['truncated-head']],
    ['upstream resets during the response body', afterRequest((s) => (s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'), setTimeout(() => s.resetAndDestroy(), 50))), [send(LEVEL1), awaitClose], /^wer-sniff: upstream reset the connection mid-stream for #5 after /, ['truncated-body']],
    ['client resets during the head', (s) => s.on('data', () => {}), [write(LEVEL1.subarray(0, 30))], /^wer-sniff: client #6 went away; closed its upstream connection\n$/, ['truncated-head']],
    ['client resets during the body', (s) => s.on('data', () => {}), [write(LEVEL1.subarray(0, HEAD_END + 50))], /^wer-sniff: client #7 went away; closed its upstream connection\n$/, ['bad-xml', 'truncated-body']],
    ['client resets before the response', afterRequest((s) => setTimeout(() => !s.destroyed && s.write(OK), 300)), [write(LEVEL1)], /^wer-sniff: client #8 went away; closed its upstream connection\n$/, []],
  ];

  it('reports each, never crashes, and relays the next exchange', async () => {
    const queue: Upstream[] = [];
    // The relay's start-up check opens one empty connection: it gets no case of its own.
    let probes = 0;
    let started = false;
    const upstream = net.createServer((s) => {
      s.on('error', () => {});
      if (!started) return void probes++;
      (queue.shift() ?? afterRequest((x) => x.end(OK)))(s);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as net.AddressInfo).port;
    const raw = path.join(tmp, 'relay.bin');
    const cli = await startCli(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--json', '-o', raw]);
    await until('the relay\'s start-up check of its upstream', () => probes === 1);
    started = true;
    readSoFar = fileSize(raw);
    sentTotal = 0;
    try {
      for (const [i, [what, up, steps, notice, problems]] of cases.entries()) {
        queue.push(up);
        const stderrBefore = cli.stderr().length;
        const bytes = await clientReset(cli.port, steps);
        sentTotal = fs.statSync(raw).size; // the upstream cases send without waiting
        await until(`close of #${i + 1} (${what})`, () => closeOf(cli, i + 1) !== undefined);
        const said = cli.stderr().slice(stderrBefore);
        expect(said, what).toMatch(notice);
        const read = closeOf(cli, i + 1)!.bytesFromClient as number;
        expect([...problemsOf(cli, i + 1)].sort(), `${what} (${read} bytes read)`).toEqual(typeof problems === 'function' ? problems(read) : problems);
        // the close says who ended it; every byte a resetting client sent (it waited for the
        // relay to read them) went through the tap — when the upstream resets, what was read
        if (what.startsWith('upstream')) {
          // (an upstream that resets on accept may beat the first read)
          if (what !== 'upstream resets on accept') expect(closeOf(cli, i + 1)!.bytesFromClient, what).toBeGreaterThan(0);
          expect(closeOf(cli, i + 1)!.bytesFromClient, what).toBeLessThanOrEqual(bytes.length);
        } else {
          expect(closeOf(cli, i + 1)!.bytesFromClient, what).toBe(bytes.length);
        }
        expect(closeOf(cli, i + 1)!.reason, what).toMatch(what.startsWith('upstream') ? /^upstream reset the connection/ : /^client went away \(ECONNRESET\)$/);
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
