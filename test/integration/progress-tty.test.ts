// The README's progress line: while an upload over 1 MiB arrives, stderr shows bytes and rate —
// only when stderr is a terminal — and the line is cleared when the request is complete. The
// terminal is a real pty made by `script -qec` (util-linux); the same run on a pipe has none.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { peer, skipNote } from '../helpers/peers.js';
import { sleep, until } from '../helpers/wait.js';

const start = cliStarter();
const TOTAL = 3 * 1024 * 1024;
const TARGET = '/PersistedCabs/' + 'x'.repeat(60) + '/report.cab'; // longer than the 48 shown

/** PUTs TOTAL bytes in 12 pieces 120 ms apart (so the line is redrawn), then reads the answer. */
async function slowUpload(port: number): Promise<string> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  let reply = '';
  s.on('data', (b) => (reply += b.toString('latin1')));
  s.write(`PUT ${TARGET} HTTP/1.1\r\nHost: x\r\nContent-Length: ${TOTAL}\r\n\r\n`);
  for (let i = 0; i < 12; i++) {
    s.write(Buffer.alloc(TOTAL / 12, 0x41));
    await sleep(120); // a slow client is the subject: the line is redrawn at most 5 times a second
  }
  s.end();
  await new Promise((r) => s.once('close', r));
  return reply;
}

// `#1 …xxxx/report.cab: 1.50 MiB of 12.0 MiB (12%) · 3.10 MiB/s · ETA 4s` (the target cut to 40)
const PROGRESS = /\r\x1b\[2K#1 …x{10,}\/report\.cab: (\d+(?:\.\d+)?) MiB(?: of [\d.]+ MiB \(\d+%\))? · [\d.]+ (?:KiB|MiB)\/s/g;

describe(`the upload progress line${skipNote('script')}`, () => {
  it.skipIf(!peer('script'))('on a terminal: drawn with bytes and rate while the upload arrives, the target shortened, cleared when complete', async () => {
    const child = spawn('script', ['-qec', `stty cols 160; '${process.execPath}' '${BIN}' listen -p 0 -b 127.0.0.1 --once --json`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let tty = '';
      child.stdout.on('data', (b: Buffer) => (tty += b.toString('utf8')));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      await until('the listening line on the pty', () => /listening on 127\.0\.0\.1:\d+/.test(tty));
      const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(tty)![1]);
      expect(await slowUpload(port)).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(await exited).toBe(0);
      const draws = [...tty.matchAll(PROGRESS)].map((m) => Number(m[1]));
      expect(draws.length).toBeGreaterThanOrEqual(2);
      expect(draws[0]).toBeGreaterThan(1); // only past 1 MiB
      expect(draws).toEqual([...draws].sort((a, b) => a - b)); // counting up
      // cleared once the request is complete: the next thing after the last draw is the erase,
      // then the request event on a clean line
      const last = tty.lastIndexOf('\r\x1b[2K#1 …');
      const after = tty.slice(last + 1);
      expect(after).toMatch(/^\x1b\[2K#1 …[^\r\n]*\r\x1b\[2K\{"type":"request"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);

  it('on a pipe: no progress line, no terminal controls', async () => {
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--once', '--json']);
    expect(await slowUpload(r.port)).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(await r.exited).toBe(0);
    expect(r.stderr()).not.toContain('\x1b');
    expect(r.stderr()).not.toMatch(/MiB\/s/);
  }, 30_000);
});
