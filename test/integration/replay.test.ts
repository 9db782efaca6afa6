// `wer-sniff replay` from the built CLI against real servers on 127.0.0.1: `wer-sniff listen`
// (its -o capture must equal the replayed bytes exactly, and its --json counts connections),
// python3 http.server, and raw net servers that answer 100-continue, stay silent, close early
// or refuse. Rate is checked by its lower bound only, so a slow machine cannot fail it.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCommand, runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { ndjson } from '../helpers/ndjson.js';
import { sleep, until } from '../helpers/wait.js';
import { BIN, vectorPath, readVector } from '../helpers/paths.js';
import { peer, skipNote } from '../helpers/peers.js';
import { segments, text2pcap, type Packet } from '../helpers/text2pcap.js';
import { tempDir } from '../helpers/temp.js';

const startCli = cliStarter();

const tmp = tempDir('wer-sniff-replay-');
const file = (name: string) => path.join(tmp, name);
const PYTHON = hasCommand('python3');
const servers: net.Server[] = [];

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** The CLI without blocking the event loop (the raw servers below live in this process). */
const runAsync = (args: string[]) => runCliAsync(args, undefined, { NO_COLOR: '1' });

let listens = 0;
async function listen(extra: string[] = []): Promise<{ r: RunningCli; raw: string }> {
  const raw = file(`listen-${++listens}.bin`);
  const r = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-o', raw, ...extra]);
  return { r, raw };
}

async function stopListen(r: RunningCli): Promise<Record<string, any>[]> {
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
  return ndjson(r.stdout());
}

const opens = (events: Record<string, any>[]) => events.filter((e) => e.type === 'open').length;

/** A raw server: `onConnection` gets each socket; resolves with its port. */
async function rawServer(onConnection: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('replay against wer-sniff listen', () => {
  const level1 = readVector('level1-appcrash.http');
  const put = readVector('level2-put.http');
  const keepAlive = file('keep-alive.bin');
  fs.writeFileSync(keepAlive, Buffer.concat([level1, put]));

  it('a pcap written by listen -w replays each TCP connection byte for byte', async () => {
    // Capture two connections with -w, then replay the pcap into a second listener.
    const pcap = file('replay-source.pcap');
    const first = await listen(['-w', pcap]);
    for (const bytes of [Buffer.concat([level1, put]), readVector('level1-hang.http')]) {
      await new Promise<void>((resolve, reject) => {
        const s = net.connect(first.r.port, '127.0.0.1', () => s.end(bytes));
        s.on('data', () => {}).on('close', () => resolve()).on('error', reject);
      });
    }
    await stopListen(first.r);
    const { r, raw } = await listen();
    const out = await runAsync(['replay', pcap, '--port', String(first.r.port), '--to', `127.0.0.1:${r.port}`]);
    expect(out.stderr).toMatch(/replayed: 3 sent, 3 answered, 0 failed, 2 connections/);
    expect(out.code).toBe(0);
    const events = await stopListen(r);
    expect(opens(events)).toBe(2);
    // -o keeps each connection contiguous, in the order they started.
    expect(fs.readFileSync(raw).equals(Buffer.concat([level1, put, readVector('level1-hang.http')]))).toBe(true);
  });

  it('keep-alive as captured: both requests on one connection, byte-identical, answers decoded', async () => {
    const { r, raw } = await listen();
    const out = await runAsync(['replay', keepAlive, '--to', `127.0.0.1:${r.port}`, '--json']);
    expect(out.stderr).toMatch(/^replayed: 2 sent, 2 answered, 0 failed, 1 connection, [\d.]+ req\/s over [\d.]+ s\n$/);
    expect(out.code).toBe(0);
    const events = await stopListen(r);
    expect(fs.readFileSync(raw).equals(Buffer.concat([level1, put]))).toBe(true);
    expect(opens(events)).toBe(1);
    // Replay's own view: the answers, decoded like any capture.
    const mine = ndjson(out.stdout);
    expect(mine.filter((e) => e.type === 'response').map((e) => e.status)).toEqual([200, 200]);
    expect(mine.find((e) => e.type === 'response').body.level1.entries.map((x: any) => x.key)).toContain('DumpFile');
    expect(mine.find((e) => e.type === 'report').report.event.eventType).toBe('APPCRASH');
  });

  it('--new-connection: one connection per request; --count repeats the set; the same bytes each time', async () => {
    const { r, raw } = await listen();
    const out = await runAsync(['replay', keepAlive, '--to', `127.0.0.1:${r.port}`, '--new-connection', '--count', '3', '--json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/replayed: 6 sent, 6 answered, 0 failed, 6 connections/);
    const events = await stopListen(r);
    expect(opens(events)).toBe(6);
    const once = Buffer.concat([level1, put]);
    expect(fs.readFileSync(raw).equals(Buffer.concat([once, once, once]))).toBe(true);
  });

  it('--rate 10/s: 10 requests take ~0.9 s, neither faster nor much slower', async () => {
    const { r } = await listen();
    const ten = file('ten.bin');
    fs.writeFileSync(ten, Buffer.concat(Array.from({ length: 10 }, () => readVector('level1-hang.http'))));
    const out = await runAsync(['replay', ten, '--to', `127.0.0.1:${r.port}`, '--rate', '10', '--json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/replayed: 10 sent, 10 answered/);
    expect(await stopListen(r).then((evs) => evs.filter((e) => e.type === 'request').length)).toBe(10);
    // Not faster: the 10th request goes out 900 ms after the first at the earliest, and the 6th
    // 500 ms after (less a little: the first one may itself be late on a loaded machine).
    const secs = Number(/over ([\d.]+) s/.exec(out.stderr)![1]);
    expect(out.ms).toBeGreaterThanOrEqual(900);
    expect(secs).toBeGreaterThanOrEqual(0.85);
    const sent = ndjson(out.stdout).filter((e) => e.type === 'request').map((e) => Date.parse(e.ts));
    expect(sent).toHaveLength(10);
    expect(sent[5]! - sent[0]!).toBeGreaterThanOrEqual(400);
    // Not much slower: the replay's own measure, which leaves out the process start, stays well
    // under twice the schedule even on a loaded machine.
    expect(secs).toBeLessThan(1.8);
  });

  it('HAR input: a listen --har capture replays byte for byte, on the captured connections', async () => {
    const har = file('capture.har');
    const first = await listen(['--har', har]);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${first.r.port}`, '--kind', 'appcrash,bluescreen', '--color', 'never']);
    expect(sim.code).toBe(0);
    const firstEvents = await stopListen(first.r);
    const original = fs.readFileSync(first.raw);

    const second = await listen();
    const out = await runAsync(['replay', har, '--to', `127.0.0.1:${second.r.port}`, '--json']);
    expect(out.stderr).toMatch(/replayed: 4 sent, 4 answered, 0 failed/);
    expect(out.code).toBe(0);
    const events = await stopListen(second.r);
    expect(fs.readFileSync(second.raw).equals(original)).toBe(true);
    expect(opens(events)).toBe(opens(firstEvents));
  });

  it('- reads the capture from stdin', async () => {
    const { r, raw } = await listen();
    const out = await runCliAsync(['replay', '-', '--to', `127.0.0.1:${r.port}`, '--json'], level1);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/replayed: 1 sent, 1 answered/);
    await stopListen(r);
    expect(fs.readFileSync(raw).equals(level1)).toBe(true);
  });

  it('--filter chooses what is sent (request fields); the rest is counted on stderr', async () => {
    const { r, raw } = await listen();
    const out = await runAsync(['replay', keepAlive, vectorPath('level1-bluescreen.http'), '--to', `127.0.0.1:${r.port}`, '--filter', 'method=PUT or event=BlueScreen', '--json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('wer-sniff: 1 request not sent (left out by --filter or not a complete HTTP request)\n');
    expect(out.stderr).toMatch(/replayed: 2 sent, 2 answered/);
    await stopListen(r);
    expect(fs.readFileSync(raw).equals(Buffer.concat([put, readVector('level1-bluescreen.http')]))).toBe(true);
  });
});

describe('replay of a pcap that lost client bytes (text2pcap writes it, editcap deletes a segment)', () => {
  const [a, b, c] = ['level1-appcrash.http', 'level1-hang.http', 'level1-generic.http'].map(readVector) as [Buffer, Buffer, Buffer];
  const answer = readVector('level1-response-level2.http');
  const TOOLS = peer('text2pcap', 'editcap');
  /** The three requests on one connection as `packets`, the three answers after them; then the
   * capture without the frames `lost` (editcap's 1-based frame numbers). */
  function capture(name: string, packets: Buffer[], lost: string): string {
    const whole = text2pcap([...packets.map((p) => ['I', p] as Packet), ...segments('O', Buffer.concat([answer, answer, answer]), 1000)], file(`${name}-whole.pcap`), ['-F', 'pcap', '-T', '49712,1273', '-4', '192.0.2.10,192.0.2.1']);
    const r = spawnSync('editcap', [whole, file(name), lost], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`editcap failed: ${r.stderr}`);
    return file(name);
  }
  const where = (cap: string) => `wer-sniff: ${cap} 192.0.2.10:49712 → 192.0.2.1:1273: `;

  it.skipIf(!TOOLS)(`a hole in a request's body: one line says so and that this request is not sent; the next two go byte for byte${skipNote('text2pcap', 'editcap')}`, async () => {
    const abc = Buffer.concat([a, b, c]);
    const cap = capture('lost-body.pcap', segments('I', abc, 1000).map(([, p]) => p), '2');
    const { r, raw } = await listen();
    const out = await runAsync(['replay', cap, '--to', `127.0.0.1:${r.port}`]);
    expect(out.stderr.split('\n').filter(Boolean)).toEqual([
      `${where(cap)}1000 bytes missing from the capture at TCP stream offset 1000 (the receiver acknowledged past it) — not sent: the request it cuts (POST /stage2.htm) and the ${a.length - 2000} bytes after it, up to the next request line; replay goes on from the next request`,
      expect.stringMatching(/^replayed: 2 sent, 2 answered, 0 failed, 1 connection, /),
    ]);
    expect(out.code).toBe(0);
    await stopListen(r);
    // What the server got is exactly the two whole requests: no spliced half of the first.
    expect(fs.readFileSync(raw).equals(Buffer.concat([b, c]))).toBe(true);
  });

  it.skipIf(!TOOLS)(`a whole request lost between two others: one line says nothing was cut; the other two go byte for byte${skipNote('text2pcap', 'editcap')}`, async () => {
    const cap = capture('lost-request.pcap', [a.subarray(0, 1300), a.subarray(1300), b.subarray(0, 1300), b.subarray(1300), c], '3-4');
    const { r, raw } = await listen();
    const out = await runAsync(['replay', cap, '--to', `127.0.0.1:${r.port}`]);
    expect(out.stderr.split('\n').filter(Boolean)).toEqual([
      `${where(cap)}${b.length} bytes missing from the capture at TCP stream offset ${a.length} (the receiver acknowledged past it) — it cuts no request: nothing is left out (but a request wholly inside it)`,
      expect.stringMatching(/^replayed: 2 sent, 2 answered, 0 failed, 1 connection, /),
    ]);
    expect(out.code).toBe(0);
    await stopListen(r);
    expect(fs.readFileSync(raw).equals(Buffer.concat([a, c]))).toBe(true);
  });
});

describe('replay against other servers', () => {
  it.skipIf(!PYTHON)(`python3 http.server (HTTP/1.0, closes after each answer): reconnects, 200 and 404${!PYTHON ? ' (SKIPPED: python3 not installed)' : ''}`, async () => {
    const root = fs.mkdtempSync(path.join(tmp, 'www-'));
    fs.writeFileSync(path.join(root, 'hello.txt'), 'hello from python\n');
    const py = spawn('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let text = '';
        const t = setTimeout(() => reject(new Error(`python did not start: ${text}`)), 10_000);
        const on = (b: Buffer) => {
          text += b;
          const m = /port (\d+)/.exec(text);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        };
        py.stdout.on('data', on);
        py.stderr.on('data', on);
      });
      const cap = file('py.bin');
      fs.writeFileSync(cap, 'GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n');
      const out = await runAsync(['replay', cap, '--to', `127.0.0.1:${port}`, '--json']);
      expect(out.stderr).toMatch(/replayed: 2 sent, 2 answered, 0 failed, 2 connections/);
      expect(out.code).toBe(0);
      const responses = ndjson(out.stdout).filter((e) => e.type === 'response');
      expect(responses.map((e) => e.status)).toEqual([200, 404]);
      expect(responses[0].body.text).toBe('hello from python\n');
    } finally {
      py.kill('SIGTERM');
    }
  });

  it('Expect: 100-continue: the body follows the server\'s 100; without a 100 it is sent after about a second', async () => {
    const body = Buffer.alloc(3000, 0x41);
    const req = Buffer.concat([Buffer.from(`PUT /up.cab HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const headLen = req.length - body.length;
    const timeline: { continueAt?: number; bodyAt?: number; got: Buffer }[] = [];
    const port = await rawServer((s) => {
      const seen = { got: Buffer.alloc(0) } as (typeof timeline)[number];
      timeline.push(seen);
      const t0 = performance.now();
      const answer100 = timeline.length === 1;
      s.on('data', (b) => {
        seen.got = Buffer.concat([seen.got, b]);
        if (seen.got.length === headLen && answer100) s.write('HTTP/1.1 100 Continue\r\n\r\n');
        if (seen.got.length > headLen && seen.bodyAt === undefined) seen.bodyAt = performance.now() - t0;
        if (seen.got.length === req.length) s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    const cap = file('continue.bin');
    fs.writeFileSync(cap, req);
    const out = await runAsync(['replay', cap, '--to', `127.0.0.1:${port}`, '--count', '2', '--json']);
    expect(out.stderr).toMatch(/replayed: 2 sent, 2 answered, 0 failed/);
    expect(timeline.map((t) => t.got.equals(req))).toEqual([true, true]);
    expect(timeline[0]!.bodyAt!).toBeLessThan(900);
    expect(timeline[1]!.bodyAt!).toBeGreaterThanOrEqual(900);
    const ev = ndjson(out.stdout).filter((e) => e.type === 'response');
    expect(ev[0].interim).toEqual([{ status: 100, reason: 'Continue', headers: [] }]);
  });

  it('refused, closed without answer, no answer in time: one line each, goes on, exit 4', async () => {
    // A port that refuses: a server closed again.
    const closedPort = await rawServer(() => {});
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    let n = 0;
    const flaky = await rawServer((s) => {
      n++;
      s.once('data', () => {
        if (n === 1) s.destroy(); // closes without answering
        else if (n === 2) { /* never answers */ } else s.end('HTTP/1.1 204 No Content\r\n\r\n');
      });
    });
    const cap = file('three.bin');
    fs.writeFileSync(cap, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await runAsync(['replay', cap, '--to', `127.0.0.1:${closedPort}`]);
    expect(refused.code).toBe(4);
    expect(refused.stderr.match(/refused the connection \(ECONNREFUSED\); going on with the next/g)).toHaveLength(3);
    expect(refused.stderr).toMatch(/replayed: 0 sent, 0 answered, 3 failed, 0 connections/);

    const out = await runAsync(['replay', cap, '-v', '--to', `127.0.0.1:${flaky}`, '--timeout', '500ms', '--color', 'never']);
    expect(out.code).toBe(4);
    const lines = out.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^wer-sniff: .*three\.bin request 1 \(GET \/a\): 127\.0\.0\.1:\d+ closed the connection without answering; going on with the next$/);
    expect(lines[1]).toMatch(/^wer-sniff: .*three\.bin request 2 \(GET \/b\): 127\.0\.0\.1:\d+ sent no complete answer \(nothing moved for 500 ms\); going on with the next$/);
    expect(lines[2]).toMatch(/^replayed: 3 sent, 1 answered, 2 failed, 3 connections/);
    expect(out.stdout).toMatch(/◀ 204 No Content/);
  });

  it('--timeout is idle time: an answer trickling in for longer than the timeout still completes', async () => {
    const port = await rawServer((s) => s.once('data', async () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n');
      for (let i = 0; i < 12; i++) {
        await sleep(100); // the trickle is the subject
        s.write('x');
      }
    }));
    const cap = file('trickle.bin');
    fs.writeFileSync(cap, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    const out = await runAsync(['replay', cap, '--to', `127.0.0.1:${port}`, '--timeout', '600ms', '--json']);
    expect(out.stderr).toMatch(/replayed: 1 sent, 1 answered, 0 failed/);
    expect(out.code).toBe(0);
    const secs = Number(/over ([\d.]+) s/.exec(out.stderr)![1]);
    expect(secs).toBeGreaterThanOrEqual(1.1);
  });

  it('a foreign HAR (HTTP/2 from a browser) is rebuilt as HTTP/1.1, headers in order, Content-Length (where the HAR has it) of the body sent', async () => {
    const got: Buffer[] = [];
    const port = await rawServer((s) => s.on('data', (b) => {
      got.push(b);
      if (Buffer.concat(got).includes('{"a":"é"}')) s.end('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    }));
    const har = file('foreign.har');
    fs.writeFileSync(har, JSON.stringify({
      log: {
        version: '1.2', creator: { name: 'browser', version: '1' }, entries: [{
          startedDateTime: '2026-01-01T00:00:00Z', time: 1, connection: '77',
          request: {
            method: 'POST', url: 'https://api.example.test/v1/items?x=1', httpVersion: 'HTTP/2.0',
            headers: [{ name: ':method', value: 'POST' }, { name: ':authority', value: 'api.example.test' }, { name: 'content-type', value: 'application/json' }, { name: 'content-length', value: '99' }, { name: 'accept', value: '*/*' }],
            queryString: [], cookies: [], headersSize: -1, bodySize: 11, postData: { mimeType: 'application/json', text: '{"a":"é"}' },
          },
          response: { status: 201, statusText: '', httpVersion: 'HTTP/2.0', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: 0 },
          cache: {}, timings: { send: 0, wait: 1, receive: 0 },
        }],
      },
    }));
    const out = await runAsync(['replay', har, '--to', `127.0.0.1:${port}`]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('1 request without wer-sniff\'s exact bytes (_rawHead) rebuilt from the HAR fields');
    expect(Buffer.concat(got).toString('utf8')).toBe(
      'POST /v1/items?x=1 HTTP/1.1\r\nHost: api.example.test\r\ncontent-type: application/json\r\ncontent-length: 10\r\naccept: */*\r\n\r\n{"a":"é"}');
  });

  it('bad input: a missing file, a pcap, an empty capture — one line each', async () => {
    const missing = runCli(['replay', file('nope.bin'), '--to', '127.0.0.1:9']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^wer-sniff: cannot read .*nope\.bin: no such file or folder \(ENOENT\) — check the path\n$/);
    const pcap = file('x.pcap');
    fs.writeFileSync(pcap, Buffer.from('d4c3b2a102000400', 'hex'));
    // A pcap header with no packets: read as a capture, which holds nothing to send.
    const p = runCli(['replay', pcap, '--to', '127.0.0.1:9']);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/no TCP connection.*\n.*no request to send in .*x\.pcap — check the capture\n$/s);
    const empty = file('empty.bin');
    fs.writeFileSync(empty, '');
    const e = runCli(['replay', empty, '--to', '127.0.0.1:9']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/^wer-sniff: no request to send in .*empty\.bin — check the capture\n$/);
    const bad = runCli(['replay', empty, '--to', '127.0.0.1:9', '--rate', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: option '--rate <n/s>' argument '0' is invalid. expected requests per second above 0");
  });
});

describe('replay and signals', () => {
  it('SIGINT while waiting for an answer stops at once: summary, the request counted as failed, exit 4', async () => {
    let got = 0;
    const port = await rawServer((s) => s.on('data', () => got++));
    const cap = file('silent.bin');
    fs.writeFileSync(cap, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const child = spawn(process.execPath, [BIN, 'replay', cap, '--to', `127.0.0.1:${port}`, '--timeout', '60s']);
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until('the request at the server', () => got > 0);
    const t0 = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe(4);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(stderr).toMatch(/request 1 \(GET \/a\): interrupted before the answer came\nreplayed: 1 sent, 0 answered, 1 failed, 1 connection/);
  });
});
