import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/sinks/spool.js';
import { RawSink } from '../../../src/sinks/raw.js';
import { MemoryStream } from '../../helpers/streams.js';
import { makeConnection } from '../../helpers/factories.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-spool-'));
  dirs.push(d);
  return d;
};
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('Spool', () => {
  it('keeps up to the limit in memory, the rest on disk, and gives everything back in order', () => {
    const s = new Spool(100, tmpDir());
    const parts = [bytes(60, 1), bytes(30, 2), bytes(50, 3), bytes(1000, 4), bytes(1, 5)];
    for (const p of parts) s.add(p);
    expect(s.size).toBe(1141);
    expect(s.inMemory).toBe(90); // the third part no longer fits: it and all after go to disk
    const out: Buffer[] = [];
    s.drain((b) => out.push(b));
    expect(Buffer.concat(out).equals(Buffer.concat(parts))).toBe(true);
    expect(s.size).toBe(0);
  });

  it('64 MiB through a 1 MiB spool: memory stays at the limit; no file is left behind', () => {
    const dir = tmpDir();
    const s = new Spool(1024 * 1024, dir);
    const piece = bytes(64 * 1024, 9);
    for (let i = 0; i < 1024; i++) s.add(piece);
    expect(s.inMemory).toBeLessThanOrEqual(1024 * 1024);
    expect(s.size).toBe(64 * 1024 * 1024);
    let total = 0;
    let same = true;
    s.drain((b) => {
      for (let i = 0; i < b.length; i += 4099) same &&= b[i] === piece[(total + i) % piece.length];
      total += b.length;
    });
    expect(total).toBe(64 * 1024 * 1024);
    expect(same).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('an unusable temporary folder falls back to memory without losing a byte', () => {
    const s = new Spool(10, path.join(tmpDir(), 'missing', 'dir'));
    const parts = [bytes(8, 1), bytes(8, 2), bytes(8, 3)];
    for (const p of parts) s.add(p);
    expect(s.inMemory).toBe(24);
    const out: Buffer[] = [];
    s.drain((b) => out.push(b));
    expect(Buffer.concat(out).equals(Buffer.concat(parts))).toBe(true);
  });
});

describe('RawSink with a small spool', () => {
  it('a connection waiting behind another spills to disk and still comes out whole, after it', () => {
    const out = new MemoryStream();
    const sink = new RawSink(out, 'client', false, { spoolMemoryBytes: 1000, spoolDir: tmpDir() });
    const a = makeConnection({ id: 1 });
    const b = makeConnection({ id: 2 });
    sink.event({ type: 'open', ts: 0, connection: a });
    sink.event({ type: 'open', ts: 0, connection: b });
    const fromA = [bytes(500, 1), bytes(500, 2)];
    const fromB = Array.from({ length: 50 }, (_, i) => bytes(997, i));
    sink.chunk({ connId: 1, source: 'client', ts: 0, bytes: fromA[0]! }, a);
    for (const p of fromB) sink.chunk({ connId: 2, source: 'client', ts: 0, bytes: p }, b);
    sink.chunk({ connId: 1, source: 'client', ts: 0, bytes: fromA[1]! }, a);
    expect(out.buffer.equals(Buffer.concat(fromA))).toBe(true); // B still waits
    sink.event({ type: 'close', ts: 0, connection: a });
    expect(out.buffer.equals(Buffer.concat([...fromA, ...fromB]))).toBe(true);
  });
});
