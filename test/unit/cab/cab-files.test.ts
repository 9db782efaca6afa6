import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractCabToDir } from '../../../src/pipeline/workers/cab-files.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';

let dir = '';
beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'wer-sniff-cabdir-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('extractCabToDir', () => {
  it('writes every file under safe relative paths, never outside dir', async () => {
    const buf = writeCab([
      { name: 'Report.wer', data: Buffer.from('r') },
      { name: '..\\..\\evil.txt', data: Buffer.from('e') },
      { name: 'C:\\Windows\\CON', data: Buffer.from('c') },
      { name: 'sub\\dir\\a.txt', data: Buffer.from('a') },
    ], { compression: 'mszip' });
    const res = await extractCabToDir(buf, dir);
    expect(res.errors).toEqual([]);
    expect(res.written.map((p) => path.relative(dir, p).split(path.sep).join('/'))).toEqual(['Report.wer', 'evil.txt', 'Windows/_CON', 'sub/dir/a.txt']);
    expect(await readFile(path.join(dir, 'sub', 'dir', 'a.txt'), 'utf8')).toBe('a');
    expect((await readdir(path.dirname(dir))).includes('evil.txt')).toBe(false);
  });

  it('does not overwrite unless asked, and reports the clash', async () => {
    const buf = writeCab([{ name: 'x.txt', data: Buffer.from('1') }], { compression: 'none' });
    await extractCabToDir(buf, dir);
    const again = await extractCabToDir(writeCab([{ name: 'x.txt', data: Buffer.from('2') }], { compression: 'none' }), dir);
    expect(again.errors).toMatchObject([{ name: 'x.txt', code: 'EEXIST' }]);
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('1');
    const forced = await extractCabToDir(writeCab([{ name: 'x.txt', data: Buffer.from('2') }], { compression: 'none' }), dir, { overwrite: true });
    expect(forced.errors).toEqual([]);
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('2');
  });

  it('writes nothing for files that cannot be extracted', async () => {
    const buf = writeCab([{ name: 'a.txt', data: Buffer.from('aaaa') }], { compression: 'none' });
    buf.writeUInt16LE(0x0a72, 36 + 6); // Quantum
    const res = await extractCabToDir(buf, dir);
    expect(res.written).toEqual([]);
    expect(res.errors).toMatchObject([{ name: 'a.txt', code: 'unsupported-compression' }]);
    expect(await readdir(dir)).toEqual([]);
  });
});
