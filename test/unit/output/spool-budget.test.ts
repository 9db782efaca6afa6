// The spools of one RawSink share a memory budget: 200 waiting connections each under the
// per-connection limit used to hold 800 MB. With a temporary file that fails like a full disk
// (injected), no byte is lost, the order holds, retry() moves memory to the file once it works
// again, and RawSink asks to pause only the waiting senders until memory is back under budget
// or their turn comes — never the connection streaming, which must go on and close.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool, tempSpillFile, type SpillFile } from '../../../src/sinks/spool.js';
import { SpoolBudget } from '../../../src/sinks/spool-budget.js';
import { RawSink } from '../../../src/sinks/raw.js';
import { MemoryStream } from '../../helpers/streams.js';
import { makeConnection } from '../../helpers/factories.js';

const KiB = 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-spool-budget-'));
  dirs.push(d);
  return d;
};
/** `n` bytes that differ per seed (the seed at the start, then its low byte). */
const bytes = (n: number, seed: number) => {
  const b = Buffer.alloc(n, seed & 0xff);
  if (n >= 4) b.writeUInt32LE(seed);
  return b;
};

/** A real temporary file whose writes fail with ENOSPC while `full.on`, after `room` bytes. */
function fullDisk(dir: string, full: { on: boolean; room: number }) {
  return (): SpillFile => {
    const f = tempSpillFile(dir);
    return {
      ...f,
      write(b, off, len, pos) {
        if (full.on) {
          if (full.room <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          const n = Math.min(len, full.room);
          full.room -= n;
          return f.write(b, off, n, pos);
        }
        return f.write(b, off, len, pos);
      },
    };
  };
}

const drained = (s: Spool) => {
  const out: Buffer[] = [];
  s.drain((b) => out.push(b));
  return Buffer.concat(out);
};

describe('SpoolBudget across spools', () => {
  it('200 spools under their own 4 MiB limit hold at most the shared budget in memory; all bytes come back', () => {
    const budget = new SpoolBudget(256 * KiB);
    const dir = tmpDir();
    const spools = Array.from({ length: 200 }, () => new Spool(4096 * KiB, dir, { budget }));
    const sent = spools.map(() => [] as Buffer[]);
    for (let round = 0; round < 8; round++) {
      spools.forEach((s, i) => {
        const b = bytes(16 * KiB, round * 200 + i);
        sent[i]!.push(b);
        s.add(b);
      });
      expect(budget.used).toBeLessThanOrEqual(256 * KiB);
    }
    expect(spools.reduce((n, s) => n + s.inMemory, 0)).toBe(budget.used);
    spools.forEach((s, i) => expect(drained(s).equals(Buffer.concat(sent[i]!))).toBe(true));
    expect(budget.used).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a temporary file that fills up: bytes stay in memory after it, in order; retry() moves them once it has room', () => {
    const full = { on: true, room: 1500 };
    const budget = new SpoolBudget(1000);
    const s = new Spool(1000, tmpDir(), { budget, openFile: fullDisk(tmpDir(), full) });
    const parts = [bytes(600, 1), bytes(900, 2), bytes(1200, 3), bytes(700, 4)];
    for (const p of parts) s.add(p);
    // 600 in memory, 900 + 600 of the third in the file, then ENOSPC: 600 + 700 held after it.
    expect(s.failure).toBe('ENOSPC');
    expect(s.inMemory).toBe(600 + 600 + 700);
    expect(budget.over).toBe(true);
    s.retry();
    expect(s.failure).toBe('ENOSPC');
    full.on = false;
    s.retry();
    expect(s.failure).toBeUndefined();
    expect(s.inMemory).toBe(600);
    expect(budget.used).toBe(600);
    expect(drained(s).equals(Buffer.concat(parts))).toBe(true);
  });

  it('no file at all (open fails): memory keeps everything; a later retry starts the file with it', () => {
    let fail = true;
    const dir = tmpDir();
    const s = new Spool(100, dir, { openFile: () => {
      if (fail) throw Object.assign(new Error('full'), { code: 'ENOSPC' });
      return tempSpillFile(dir);
    } });
    const parts = [bytes(80, 1), bytes(80, 2), bytes(80, 3)];
    for (const p of parts) s.add(p);
    expect([s.failure, s.inMemory]).toEqual(['ENOSPC', 240]);
    fail = false;
    s.add(bytes(10, 4));
    expect([s.failure, s.inMemory, s.size]).toEqual([undefined, 0, 250]);
    expect(drained(s).equals(Buffer.concat([...parts, bytes(10, 4)]))).toBe(true);
  });
});

describe('RawSink when the temporary disk is full', () => {
  it('pauses waiting senders only, until their turn; says so once; the output is exact', async () => {
    const out = new MemoryStream();
    const notices: string[] = [];
    const full = { on: true, room: 0 };
    const sink = new RawSink(out, 'client', false, {
      spoolMemoryBytes: 64 * KiB, spoolBudgetBytes: 128 * KiB, spoolDir: tmpDir(), openSpillFile: fullDisk(tmpDir(), full), onNotice: (l) => notices.push(l),
    });
    const conns = [1, 2, 3].map((id) => makeConnection({ id }));
    for (const c of conns) sink.event({ type: 'open', ts: 0, connection: c });
    const sent = new Map<number, Buffer[]>(conns.map((c) => [c.id, []]));
    const send = (id: number, b: Buffer) => {
      sent.get(id)!.push(b);
      sink.chunk({ connId: id, source: 'client', ts: 0, bytes: b }, conns[id - 1]!);
      return sink.waitDrain(id);
    };
    expect(send(1, bytes(10, 1))).toBeNull(); // the owner streams
    for (let i = 0; i < 2; i++) expect(send(2, bytes(48 * KiB, i))).toBeNull(); // within budget
    const wait2 = send(2, bytes(48 * KiB, 9)); // ENOSPC, 144 KiB > 128 KiB: pause connection 2
    expect(wait2).toBeInstanceOf(Promise);
    const wait3 = send(3, bytes(1000, 3));
    expect(wait3).toBeInstanceOf(Promise);
    expect(send(1, bytes(10, 2))).toBeNull(); // never the owner
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^cannot write waiting connections' bytes to a temporary file in .+ \(ENOSPC\): up to 128 KiB is held in memory, then those clients are paused until the connections before them close — free space there or set TMPDIR to another disk$/);
    let resumed2 = false;
    let resumed3 = false;
    void wait2!.then(() => (resumed2 = true));
    void wait3!.then(() => (resumed3 = true));
    await new Promise((r) => setTimeout(r, 20));
    expect([resumed2, resumed3]).toEqual([false, false]);
    // Connection 1 closes: 2's turn (it streams on even though 3 still holds memory).
    sink.event({ type: 'close', ts: 0, connection: conns[0]! });
    await new Promise((r) => setTimeout(r, 0));
    expect(resumed2).toBe(true);
    expect(sink.budget.used).toBe(1000);
    expect(resumed3).toBe(true); // back under budget
    sink.event({ type: 'close', ts: 0, connection: conns[1]! });
    sink.event({ type: 'close', ts: 0, connection: conns[2]! });
    await sink.close();
    expect(out.buffer.equals(Buffer.concat([...sent.get(1)!, ...sent.get(2)!, ...sent.get(3)!]))).toBe(true);
    expect(sink.budget.used).toBe(0);
  });
});
