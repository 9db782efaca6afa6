// --save-dir streams a level-2 upload to disk: a body far larger than --max-body-bytes ends up
// in report.cab byte for byte while the listener's memory stays flat.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { readVector } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';
import { testTempDir } from '../helpers/temp.js';

const startCli = cliStarter();

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;

function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // not Linux
  }
}

describe('listen --save-dir with a large upload', () => {
  it('streams a 256 MiB PUT into report.cab exactly, with bounded memory', async () => {
    const dir = testTempDir('wer-sniff-big-'); // 256 MiB: removed also when an assertion fails
    let sent = '';
    const listen = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, '--max-body-bytes', '1MiB', '--json']);
    try {
      const answer = await sendAndCollect(listen.port, [readVector('level1-hang.http')]);
      const dump = /DumpFile=(.*)\r\n/.exec(answer.toString('latin1'))![1]!;
      const hash = createHash('sha256');
      const block = Buffer.alloc(MiB);
      const sock = net.connect(listen.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${SIZE}\r\n\r\n`);
      for (let i = 0; i < SIZE / MiB; i++) {
        block.fill(i & 0xff);
        block.writeUInt32LE(i, 0);
        hash.update(block);
        if (!sock.write(Buffer.from(block))) await new Promise((r) => sock.once('drain', r));
      }
      sent = hash.digest('hex');
      const reply = await new Promise<string>((resolve) => {
        let got = '';
        sock.on('data', (b) => (got += b.toString('latin1')));
        sock.on('close', () => resolve(got));
        sock.end();
      });
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      const peak = peakRss(listen.child.pid!);
      if (peak !== undefined) expect(peak).toBeLessThan(160 * MiB);
    } finally {
      listen.child.kill('SIGINT');
      await listen.exited;
    }
    const [folder] = fs.readdirSync(dir);
    const cab = path.join(dir, folder!, 'report.cab');
    expect(fs.statSync(cab).size).toBe(SIZE);
    const fileHash = createHash('sha256');
    for await (const chunk of fs.createReadStream(cab)) fileHash.update(chunk as Buffer);
    expect(fileHash.digest('hex')).toBe(sent);
    const put = ndjson(listen.stdout()).find((e) => e.type === 'request' && e.method === 'PUT');
    expect(put.body.length).toBe(SIZE);
    expect(put.body.sha256).toBe(sent);
    expect(put.reportId).toBe('r1');
  });
});
