// `listen --save-dir` when things go wrong, over real sockets on 127.0.0.1: a client that
// disconnects in the middle of its upload (report.cab.incomplete, made by the listener, with
// exactly the bytes that came), the upload written to a temp file and renamed only once whole,
// a PUT to a path no answer issued (its own unmatched-upload folder), and a save-dir that
// cannot be written (one stderr line, the client still answered, the other outputs go on,
// exit 1 with the count).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliStarter, runCli, type RunningCli } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { ndjson } from '../helpers/ndjson.js';
import { readVector } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../helpers/wait.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';

const start = cliStarter();
const tmp = tempDir('wer-sniff-savedir-faults-');
const LEVEL1 = readVector('level1-hang.http');
const KiB = 1024;
/** A stored (uncompressed) CAB of 640 KiB: bigger than the 256 KiB the listener gathers before
 * it writes a burst to the upload's temp file, so the temp file is seen filling. */
const CAB = writeCab([{ name: 'WER1.tmp.mdmp', data: randomBytes(640 * KiB) }], { compression: 'none' });
/** The part of an upload sent before the client stops: past one burst. */
const FIRST = 300 * KiB;

async function listen(name: string, extra: string[] = []): Promise<{ cli: RunningCli; dir: string }> {
  const dir = path.join(tmp, name);
  const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', dir, '--json', '--color', 'never', ...extra]);
  return { cli, dir };
}

async function dumpFileOf(port: number): Promise<string> {
  const answer = (await sendAndCollect(port, [LEVEL1])).toString('latin1');
  return /DumpFile=(.*)\r\n/.exec(answer)![1]!;
}

/** An upload connection: the PUT head for `length` bytes is sent; `reply` is what came back. */
async function upload(port: number, target: string, length: number): Promise<{ sock: net.Socket; reply: Promise<string> }> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let got = '';
  sock.on('data', (b) => (got += b.toString('latin1')));
  sock.on('error', () => {});
  sock.write(`PUT ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
  return { sock, reply: new Promise((r) => sock.once('close', () => r(got))) };
}

/** The one report folder below `dir` (once it is there) and the names in it. */
async function folder(dir: string): Promise<{ path: string; names: () => string[] }> {
  await until('the report folder', () => fs.existsSync(dir) && fs.readdirSync(dir).length > 0);
  const folders = fs.readdirSync(dir);
  expect(folders).toHaveLength(1);
  const p = path.join(dir, folders[0]!);
  return { path: p, names: () => fs.readdirSync(p).sort() };
}

const partOf = (names: string[]) => names.filter((n) => /^report\.cab\.\d+-\d+\.part$/.test(n));

/** Until the upload's temp file in folder `f` holds a first burst; then no report.cab of any kind
 * may be there yet. */
async function firstBurstInTempFile(f: { path: string; names: () => string[] }): Promise<void> {
  await until('a first burst in the upload temp file', () => {
    const part = partOf(f.names())[0];
    return part !== undefined && fs.statSync(path.join(f.path, part)).size >= 256 * KiB;
  });
  expect(f.names().filter((n) => n.startsWith('report.cab') && !n.endsWith('.part'))).toEqual([]);
}

async function stop(cli: RunningCli): Promise<number | null> {
  cli.child.kill('SIGINT');
  return cli.exited;
}

describe('--save-dir faults', () => {
  it.each([['closes its side (FIN)', 'end'], ['resets (RST)', 'reset']] as const)(
    'a client that %s mid-upload: report.cab.incomplete holds exactly the bytes that came, no temp file stays, the run goes on',
    async (_how, how) => {
      const { cli, dir } = await listen(how);
      const dump = await dumpFileOf(cli.port);
      const half = CAB.subarray(0, FIRST);
      const up = await upload(cli.port, dump, CAB.length);
      up.sock.write(half);
      const f = await folder(dir);
      // Until it is whole, the upload is only in its temp file.
      await firstBurstInTempFile(f);
      if (how === 'end') up.sock.end();
      else up.sock.resetAndDestroy();
      await up.reply;
      await until('report.cab.incomplete', () => f.names().includes('report.cab.incomplete'));
      expect(fs.readFileSync(path.join(f.path, 'report.cab.incomplete')).equals(half)).toBe(true);
      expect(f.names()).not.toContain('report.cab');
      expect(partOf(f.names())).toEqual([]);
      // The listener still serves: the next client is answered.
      expect((await sendAndCollect(cli.port, [LEVEL1])).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(await stop(cli)).toBe(0);
      const found = ndjson(cli.stdout()).filter((e) => e.type === 'finding').map((e) => `${e.reportId} ${e.rule}`);
      expect(found).toContain('r1 put-incomplete');
      // `check` of the folder the listener made judges it the same way.
      const checked = runCli(['check', '--json', f.path]);
      expect(checked.code).toBe(1);
      expect(ndjson(checked.stdout).filter((o) => o.type === 'check').flatMap((o) => o.findings.map((x: { rule: string }) => x.rule))).toEqual(['put-incomplete']);
    },
    60_000,
  );

  it('a whole upload: written to its temp file first, renamed to report.cab once complete (byte for byte), the temp file gone', async () => {
    const { cli, dir } = await listen('whole');
    const dump = await dumpFileOf(cli.port);
    const up = await upload(cli.port, dump, CAB.length);
    up.sock.write(CAB.subarray(0, FIRST));
    const f = await folder(dir);
    await firstBurstInTempFile(f);
    up.sock.end(CAB.subarray(FIRST));
    expect(await up.reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await until('report.cab', () => f.names().includes('report.cab'));
    expect(fs.readFileSync(path.join(f.path, 'report.cab')).equals(CAB)).toBe(true);
    expect(partOf(f.names())).toEqual([]);
    expect(f.names()).not.toContain('report.cab.incomplete');
    expect(await stop(cli)).toBe(0);
  }, 60_000);

  it('a PUT to a path no answer issued: its own …_unmatched-upload_1 folder with the CAB byte for byte', async () => {
    const { cli, dir } = await listen('unmatched');
    const up = await upload(cli.port, '\\PersistedCabs\\never-issued.cab', CAB.length);
    up.sock.end(CAB);
    expect(await up.reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const f = await folder(dir);
    expect(path.basename(f.path)).toMatch(/^\d{8}T\d{6}Z_unmatched-upload_1$/);
    await until('report.cab in the unmatched folder', () => f.names().includes('report.cab'));
    expect(fs.readFileSync(path.join(f.path, 'report.cab')).equals(CAB)).toBe(true);
    expect(await stop(cli)).toBe(0);
  }, 60_000);

  it('a save-dir that cannot be written (a file now stands where it was): one stderr line in words, the client answered, -o goes on, exit 1 with the count', async () => {
    const raw = path.join(tmp, 'unwritable.bin');
    const { cli, dir } = await listen('unwritable', ['-o', raw]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, 'not a folder');
    const reply = (await sendAndCollect(cli.port, [LEVEL1])).toString('latin1');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await until('the save-dir error line', () => cli.stderr().includes('cannot create a report folder'));
    expect(await stop(cli)).toBe(1);
    const lines = cli.stderr().split('\n').filter((l) => l.startsWith('wer-sniff: ') && l.includes(dir));
    expect(lines).toEqual([
      `wer-sniff: cannot create a report folder in ${dir}: a part of the path is not a folder (ENOTDIR) — --save-dir must be a folder (a file stands in its path); capture continues`,
      `wer-sniff: 1 report was not saved whole in --save-dir ${dir} (the lines above say why) — free disk space or raise the open-file limit (ulimit -n); -o/-w captures still hold them`,
    ]);
    expect(cli.stderr()).toMatch(/^stopped: .*, 1 report not saved$/m);
    expect(fs.readFileSync(raw).equals(LEVEL1)).toBe(true);
    expect(ndjson(cli.stdout()).filter((e) => e.type === 'response').map((e) => e.status)).toEqual([200]);
  }, 60_000);
});
