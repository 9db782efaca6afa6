// UploadFile through an injected file system: a write or close that fails makes finish()
// reject and removes the temp file (never "complete" with missing bytes); a full descriptor
// table delays a burst without losing bytes; an upload holds no descriptor between bursts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UploadFile, type UploadFs } from '../../../src/sinks/save-dir/upload-file.js';
import { FileSlots } from '../../../src/sinks/save-dir/file-slots.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-upload-file-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const KiB = 1024;

/** The real fs, with the n-th write or close failing with `code`, and open descriptors counted. */
function faultyFs(fail: { write?: number; close?: number; open?: number }, code = 'ENOSPC'): UploadFs & { open: number; peak: number } {
  let writes = 0;
  let closes = 0;
  let opens = 0;
  const io = {
    open: 0,
    peak: 0,
    openSync(p: string, flags: string) {
      if (++opens === fail.open) throw Object.assign(new Error(code), { code });
      const fd = fs.openSync(p, flags);
      io.peak = Math.max(io.peak, ++io.open);
      return fd;
    },
    writeSync(fd: number, buf: Buffer, off: number) {
      if (++writes === fail.write) throw Object.assign(new Error(code), { code });
      return fs.writeSync(fd, buf, off);
    },
    closeSync(fd: number) {
      io.open--;
      fs.closeSync(fd);
      if (++closes === fail.close) throw Object.assign(new Error(code), { code });
    },
    rmSync: fs.rmSync,
  };
  return io;
}

describe('UploadFile', () => {
  it('writes every byte in order, in bursts, closing the file between them', async () => {
    const io = faultyFs({});
    const file = new UploadFile(path.join(tmp, 'ok.part'), new FileSlots(), io);
    const sent = Buffer.alloc(1000 * KiB);
    for (let i = 0; i < sent.length; i += 10 * KiB) {
      sent.fill(i & 0xff, i, i + 10 * KiB);
      file.write(Buffer.from(sent.subarray(i, i + 10 * KiB)));
    }
    await file.finish();
    expect(fs.readFileSync(file.path).equals(sent)).toBe(true);
    expect(io.open).toBe(0);
    expect(io.peak).toBe(1);
  });

  it('an empty upload still gets its empty file', async () => {
    const file = new UploadFile(path.join(tmp, 'empty.part'), new FileSlots(), faultyFs({}));
    await file.finish();
    expect(fs.statSync(file.path).size).toBe(0);
  });

  it.each([['write', { write: 1 }], ['close', { close: 1 }]])('a failing %s rejects finish() and removes the temp file', async (_what, fail) => {
    const file = new UploadFile(path.join(tmp, `fail-${_what}.part`), new FileSlots(), faultyFs(fail));
    file.write(Buffer.from('MSCF small cab'));
    await expect(file.finish()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.existsSync(file.path)).toBe(false);
  });

  it('a failure mid-upload removes the partial file at once and takes no more bytes', async () => {
    const file = new UploadFile(path.join(tmp, 'mid.part'), new FileSlots(), faultyFs({ write: 2 }));
    file.write(Buffer.alloc(300 * KiB));
    await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(file.path)).toBe(true);
    file.write(Buffer.alloc(300 * KiB));
    await new Promise((r) => setTimeout(r, 10));
    expect(file.error?.code).toBe('ENOSPC');
    expect(fs.existsSync(file.path)).toBe(false);
    file.write(Buffer.alloc(300 * KiB));
    await expect(file.finish()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.existsSync(file.path)).toBe(false);
  });

  it('EMFILE on open delays the burst; nothing is lost', async () => {
    const file = new UploadFile(path.join(tmp, 'emfile.part'), new FileSlots(), faultyFs({ open: 1 }, 'EMFILE'));
    file.write(Buffer.from('abc'));
    file.write(Buffer.from('def'));
    await file.finish();
    expect(fs.readFileSync(file.path, 'latin1')).toBe('abcdef');
  });

  it('asks the sender to wait once 1 MiB is held, and the wait ends when it is written', async () => {
    const file = new UploadFile(path.join(tmp, 'drain.part'), new FileSlots({ limit: 1 }), faultyFs({}));
    expect(file.waitDrain()).toBeNull();
    for (let i = 0; i < 8; i++) file.write(Buffer.alloc(200 * KiB));
    const wait = file.waitDrain();
    expect(wait).not.toBeNull();
    await wait;
    await file.finish();
    expect(fs.statSync(file.path).size).toBe(1600 * KiB);
  });
});
