// --save-dir on a disk that fills up (a 300 KiB tmpfs; Linux and root only, skipped with a
// warning elsewhere): a CAB that cannot be written whole never becomes a report.cab (no 0-byte
// file, no empty files in cab/), a failed upload leaves no .part file keeping the disk full, the
// next report is saved whole once there is room again, and the run exits 1 saying how many
// reports were not saved.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { VECTORS } from '../helpers/paths.js';
import { until } from '../helpers/wait.js';

const startCli = cliStarter();

const tinyFs = path.join(os.tmpdir(), `wer-savedir-tmpfs-${process.pid}`);
let mounted = false;
let why = 'not Linux';
if (process.platform === 'linux' && process.getuid?.() === 0) {
  fs.mkdirSync(tinyFs, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', tinyFs]);
  mounted = m.status === 0;
  why = m.stderr?.toString().trim() || String(m.error);
} else if (process.platform === 'linux') why = 'not root';
if (!mounted) console.warn(`skipping the --save-dir full-disk tests: cannot mount a 300 KiB tmpfs (${why})`);
afterAll(() => {
  if (mounted) spawnSync('umount', [tinyFs]);
  fs.rmSync(tinyFs, { recursive: true, force: true });
});

const LEVEL1 = fs.readFileSync(path.join(VECTORS, 'level1-hang.http'));
const CAB = fs.readFileSync(path.join(VECTORS, 'sample-report.cab'));

/** Sends a level-1 report and returns the DumpFile the listener issued. */
async function level1(port: number): Promise<string> {
  const answer = (await sendAndCollect(port, [LEVEL1])).toString('latin1');
  return /DumpFile=(.*)\r\n/.exec(answer)![1]!;
}

function put(port: number, dump: string, body: Buffer): Promise<Buffer> {
  return sendAndCollect(port, [Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

/** Fills the file system (until ENOSPC) with one file; returns its path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/** Every file under `dir` with its size, relative names. */
function listing(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return out;
}

describe.skipIf(!mounted)('--save-dir on a full disk (300 KiB tmpfs)', () => {
  it('never calls a CAB complete that is not on disk whole, removes partial files, exits 1 with the count', async () => {
    const saved = path.join(tinyFs, 'saved');
    const cap = path.join(os.tmpdir(), `wer-savedir-cap-${process.pid}.bin`);
    onTestFinished(() => fs.rmSync(cap, { force: true }));
    const listen = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', saved, '-o', cap, '--json']);
    let code: number | null;
    try {
      // 1: a 1 MiB upload does not fit: it fails and its temp file is removed at once.
      const big = Buffer.alloc(1024 * 1024, 7);
      CAB.copy(big);
      expect((await put(listen.port, await level1(listen.port), big)).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
      // 2: with the partial file gone there is room again: saved whole.
      expect((await put(listen.port, await level1(listen.port), CAB)).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
      // The PUT is answered at once; its file is finished after the CAB's summary: wait for it.
      const saved2 = () => fs.existsSync(saved) && fs.readdirSync(saved).some((f) => fs.existsSync(path.join(saved, f, 'cab', 'WER51C0.tmp.Version.txt')));
      await until('report 2 saved whole', saved2, 20_000);
      // 3: the disk is full when a small CAB arrives.
      const dump = await level1(listen.port);
      await new Promise((r) => setTimeout(r, 200)); // its level-1 files are written
      const filler = fillDisk(tinyFs);
      expect((await put(listen.port, dump, CAB)).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
      // The upload is written off the socket thread: free the disk only once that write failed
      // (a busy machine may run it long after the answer).
      const failures = () => listen.stderr().match(/report\.cab failed \(partial file removed\)/g)?.length ?? 0;
      await until('the third upload to hit the full disk', () => failures() >= 2, 20_000);
      fs.rmSync(filler);
    } finally {
      listen.child.kill('SIGINT');
      code = await listen.exited;
    }
    const folders = fs.readdirSync(saved).sort();
    expect(folders).toHaveLength(3);
    const [first, second, third] = folders.map((f) => listing(path.join(saved, f)));
    const level1Files = { 'level1.http': LEVEL1.length, 'report.json': expect.any(Number), 'report.xml': expect.any(Number), 'response.txt': expect.any(Number) };
    // The failed 1 MiB upload: no report.cab; only whole files (see the third below).
    expect(first).toMatchObject(level1Files);
    expect(Object.keys(first!).filter((n) => n.startsWith('report.cab'))).toEqual([]);
    expect(Object.values(first!).every((size) => size > 0)).toBe(true);
    expect(second).toMatchObject({ ...level1Files, 'report.cab': CAB.length, 'cab/WER51C0.tmp.Version.txt': 380 });
    expect(Object.values(second!).every((size) => size > 0)).toBe(true);
    // No report.cab (it hit the full disk); the CAB's files may be extracted later, when the
    // summary's job runs: whole then, never empty.
    expect(third).toMatchObject(level1Files);
    expect(Object.keys(third!).filter((n) => n.startsWith('report.cab'))).toEqual([]);
    expect(Object.values(third!).every((size) => size > 0)).toBe(true);
    const stderr = listen.stderr();
    expect(stderr).toMatch(/wer-sniff: saving the upload .*report\.cab failed \(partial file removed\): the disk is full \(ENOSPC\) — free some disk space; capture continues\n/);
    expect(stderr).toMatch(/^stopped: 6 connections, 6 requests, 3 reports, .*, 2 reports not saved$/m);
    expect(stderr).toMatch(/wer-sniff: 2 reports were not saved whole in --save-dir .* — free disk space or raise the open-file limit \(ulimit -n\); -o\/-w captures still hold them\n/);
    expect(code).toBe(1);
  }, 60_000);
});
