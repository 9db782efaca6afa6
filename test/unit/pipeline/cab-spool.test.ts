// Upload spools are temporary files: written on the thread pool (the caller only queues),
// removed after their job, and whatever is still on disk when the run stops (a job the closed
// worker never finished) is removed then. Only a cabinet is spooled.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { HIGH_WATER_BYTES, UploadSpool, discardAllSpools } from '../../../src/pipeline/workers/cab-spool.js';
import { tempDir } from '../../helpers/temp.js';

const dir = tempDir('wer-sniff-spool-');
const MSCF = Buffer.from('MSCF', 'latin1');
const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('a spool holds exactly what was written, in order, and discard removes it', async () => {
  const s = new UploadSpool(dir);
  const parts = [MSCF, Buffer.alloc(300_000, 1), Buffer.from('tail')];
  for (const p of parts) s.write(p);
  const file = (await s.finish())!;
  expect(fs.readFileSync(file).equals(Buffer.concat(parts))).toBe(true);
  s.discard();
  await until(() => !fs.existsSync(file));
  expect(fs.existsSync(file)).toBe(false);
});

test('writing only queues: nothing reaches the disk before the event loop turns', async () => {
  const s = new UploadSpool(dir);
  s.write(MSCF);
  for (let i = 0; i < 8; i++) s.write(Buffer.alloc(256 * 1024, i));
  expect(s.written).toBe(0);
  const file = (await s.finish())!;
  expect(s.written).toBe(4 + 8 * 256 * 1024);
  expect(fs.statSync(file).size).toBe(s.written);
  s.discard();
});

test('bytes not on disk yet beyond the high-water mark ask the sender to wait, until written', async () => {
  const s = new UploadSpool(dir);
  s.write(MSCF);
  expect(s.waitDrain()).toBeNull();
  for (let sent = 0; sent <= HIGH_WATER_BYTES; sent += 64 * 1024) s.write(Buffer.alloc(64 * 1024, 7));
  const wait = s.waitDrain();
  expect(wait).not.toBeNull();
  await wait;
  await until(() => s.waitDrain() === null);
  expect(s.waitDrain()).toBeNull();
  await s.finish();
  s.discard();
});

test('an upload that does not begin like a cabinet is not spooled', async () => {
  const s = new UploadSpool(dir);
  s.write(Buffer.from('MS'));
  s.write(Buffer.from('XX and a text body'));
  expect(await s.finish()).toBeUndefined();
  expect(fs.existsSync(s.path)).toBe(false);
});

test('a write that fails ends the spool: no file, and finish says so', async () => {
  const s = new UploadSpool(path.join(dir, 'no-such-folder'));
  s.write(MSCF);
  s.write(Buffer.alloc(300_000));
  expect(await s.finish()).toBeUndefined();
  expect(s.failure).toBe('ENOENT');
});

test('spools whose jobs never ended are all removed when the run stops', async () => {
  const files = await Promise.all([0, 1, 2].map(async () => {
    const s = new UploadSpool(dir);
    s.write(MSCF);
    return (await s.finish())!;
  }));
  expect(files.every((f) => fs.existsSync(f))).toBe(true);
  discardAllSpools();
  expect(fs.readdirSync(dir).filter((n) => files.includes(path.join(dir, n)))).toEqual([]);
});

const bash = process.platform !== 'win32' && spawnSync('bash', ['-c', 'true']).status === 0;

test.runIf(bash)('out of file descriptors: the burst waits until one is free, nothing is lost', async () => {
  // A child process (ulimit -n 256) fills its descriptor table, writes a spool, then frees some.
  const script = `
    import fs from 'node:fs';
    const { UploadSpool } = await import(${JSON.stringify(new URL('../../../dist/pipeline/workers/cab-spool.js', import.meta.url).href)});
    const hog = [];
    try { for (;;) hog.push(fs.openSync(process.execPath, 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
    const s = new UploadSpool(${JSON.stringify(dir)});
    s.write(Buffer.from('MSCF'));
    s.write(Buffer.alloc(300000, 9));
    setTimeout(() => { for (const fd of hog.splice(0, 8)) fs.closeSync(fd); }, 300);
    const file = await s.finish();
    const ok = file !== undefined && fs.statSync(file).size === 300004;
    s.discardNow();
    for (const fd of hog) fs.closeSync(fd);
    console.log(JSON.stringify({ ok, failure: s.failure ?? null }));
  `;
  const r = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ ok: true, failure: null });
});
