// `listen --save-dir` over real sockets: two PUTs to one DumpFile at the same time (each kept
// whole, the second flagged), CJK machine and app names (the folder name fits in 255 bytes),
// and SIGTERM in the middle of an upload (judged as the incomplete upload it is).
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { events } from '../helpers/run-async.js';
import { VECTORS } from '../helpers/paths.js';
import { report } from '../helpers/crafted.js';

const start = cliStarter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-savedir-up-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const LEVEL1 = fs.readFileSync(path.join(VECTORS, 'level1-hang.http'));
const SMALL = fs.readFileSync(path.join(VECTORS, 'sample-report.cab'));
const LARGE = fs.readFileSync(path.join(VECTORS, 'sample-report-mszip.cab'));

async function dumpFileOf(port: number, level1 = LEVEL1): Promise<string> {
  const answer = (await sendAndCollect(port, [level1])).toString('latin1');
  return /DumpFile=(.*)\r\n/.exec(answer)![1]!;
}

async function connect(port: number): Promise<{ sock: net.Socket; reply: Promise<string> }> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let got = '';
  sock.on('data', (b) => (got += b.toString('latin1')));
  sock.on('error', () => {});
  return { sock, reply: new Promise((r) => sock.once('close', () => r(got))) };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));
const head = (dump: string, length: number) => `PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

describe('listen --save-dir uploads', () => {
  it('two PUTs to one DumpFile, interleaved: report.cab and report.2.cab each hold one upload exactly, and the second is flagged', async () => {
    const dir = path.join(tmp, 'dup');
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, '--json']);
    const dump = await dumpFileOf(cli.port);
    const a = await connect(cli.port);
    const b = await connect(cli.port);
    // Pages of both uploads arrive alternately; the larger one (b) completes first.
    a.sock.write(head(dump, SMALL.length) + SMALL.subarray(0, 700).toString('latin1'), 'latin1');
    await settle(50);
    b.sock.write(Buffer.concat([Buffer.from(head(dump, LARGE.length), 'latin1'), LARGE.subarray(0, 20_000)]));
    await settle(50);
    b.sock.end(LARGE.subarray(20_000));
    // b is answered (so complete) before a sends its last bytes: the order does not depend on
    // how the loaded machine schedules two sockets' reads.
    expect(await b.reply).toMatch(/^HTTP\/1\.1 200 OK/);
    a.sock.end(SMALL.subarray(700));
    expect(await a.reply).toMatch(/^HTTP\/1\.1 200 OK/);
    await settle();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const [folder] = fs.readdirSync(dir);
    const files = fs.readdirSync(path.join(dir, folder!)).sort();
    expect(files.filter((n) => !n.startsWith('minidump.'))).toEqual(['cab', 'level1.http', 'level2.head.http', 'level2.response.http', 'report.2.cab', 'report.cab', 'report.json', 'report.xml', 'response.txt']);
    expect(fs.readFileSync(path.join(dir, folder!, 'report.cab')).equals(LARGE)).toBe(true);
    expect(fs.readFileSync(path.join(dir, folder!, 'report.2.cab')).equals(SMALL)).toBe(true);
    const found = events(cli.stdout().toString()).filter((e) => e.type === 'finding');
    expect(found.map((f) => f.rule)).toEqual(['duplicate-upload']);
    expect(found[0]).toMatchObject({ reportId: 'r1', stage: 'upload', severity: 'warning' });
  }, 30_000);

  it('40-character CJK machine and app names: the folder is made (≤ 255 bytes) and holds every file', async () => {
    const dir = path.join(tmp, 'cjk');
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, '--json']);
    const machine = '開発部門'.repeat(10);
    const appname = '表計算ソフトウェア製品'.repeat(4).slice(0, 40);
    const level1 = report({ machine, app: { appname, apppath: `C:\\Program Files\\${appname}.exe` } });
    const dump = await dumpFileOf(cli.port, level1);
    expect((await sendAndCollect(cli.port, [Buffer.from(head(dump, SMALL.length), 'latin1'), SMALL])).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    await settle();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).not.toMatch(/ENAMETOOLONG|cannot/);
    const folders = fs.readdirSync(dir);
    expect(folders).toHaveLength(1);
    const name = folders[0]!;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(247);
    expect(name).toMatch(/^\d{8}T\d{6}Z_開発部門[^_]*_表計算ソフトウェア製品[^_]*_APPCRASH_1$/);
    expect(fs.readdirSync(path.join(dir, name)).sort().filter((n) => !n.startsWith('minidump.'))).toEqual(['cab', 'level1.http', 'level2.head.http', 'level2.response.http', 'report.cab', 'report.json', 'report.xml', 'response.txt']);
    expect(fs.readFileSync(path.join(dir, name, 'level1.http')).equals(level1)).toBe(true);
  }, 30_000);

  it('SIGTERM during an upload: put-incomplete for the report that was asked, no false put-path-not-issued; report.cab.incomplete kept', async () => {
    const dir = path.join(tmp, 'term');
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, '--json']);
    const dump = await dumpFileOf(cli.port);
    const up = await connect(cli.port);
    up.sock.write(head(dump, 100_000) + 'x'.repeat(5000));
    await settle(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const evs = events(cli.stdout().toString());
    const found = evs.filter((e) => e.type === 'finding');
    expect(found.map((f) => `${f.reportId} ${f.stage} ${f.rule}`)).toEqual(['r1 upload put-incomplete']);
    const [folder] = fs.readdirSync(dir);
    const cab = path.join(dir, folder!, 'report.cab.incomplete');
    expect(fs.readFileSync(cab).toString('latin1')).toBe('x'.repeat(5000));
    expect(fs.readdirSync(path.join(dir, folder!)).filter((n) => n.endsWith('.part'))).toEqual([]);
  }, 30_000);
});
