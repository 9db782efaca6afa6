// `-o` ordering spool, live on 127.0.0.1: the first connection stays open (it owns the capture
// file) while 24 others each send 1 MiB and close. Their bytes wait in the spools, within one
// shared memory budget (512 KiB here) — through temporary files, and, when those fail like a
// full disk (injected), by pausing the waiting sockets rather than growing. Once the first
// closes, the file holds every byte, each connection's together, in open order.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import { RawSink } from '../../src/sinks/raw.js';
import { tempSpillFile } from '../../src/sinks/spool.js';
import { SyncFileStream } from '../../src/sinks/sync-file.js';
import { tempDir } from '../helpers/temp.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BUDGET = 512 * KiB;
const CONNS = 24;
const tmp = tempDir('wer-sniff-spool-live-');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(diskFull: boolean) {
  const file = path.join(tmp, `out-${diskFull ? 'full' : 'ok'}.bin`);
  const notices: string[] = [];
  let written = 0;
  const raw = new RawSink(new SyncFileStream(file), 'client', true, {
    spoolBudgetBytes: BUDGET, spoolDir: tmp, onNotice: (l) => notices.push(l),
    openSpillFile: diskFull
      ? () => ({ ...tempSpillFile(tmp), write: () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); } })
      : () => {
        const f = tempSpillFile(tmp);
        return { ...f, write: (b, off, len, pos) => ((written += len), f.write(b, off, len, pos)) };
      },
  });
  // Sees each chunk right after RawSink took it: the most the spools ever held in memory.
  let peak = 0;
  const probe = { chunk: () => void (peak = Math.max(peak, raw.budget.used)), close: async () => {} };
  const recorder = new Recorder({ sinks: [raw, probe], checkBodies: false });
  const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server: new CerServer({ mode: 'none', answer: { ask: [] } }) });
  cleanups.push(() => h.close());

  const connect = async () => {
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    s.on('error', () => {});
    await once(s, 'connect');
    return s;
  };
  const first = await connect();
  const firstBytes = Buffer.from('the first connection owns -o until it closes\n');
  first.write(firstBytes);
  while (recorder.totals.connections < 1 || recorder.totals.bytesFromClient < firstBytes.length) await sleep(10);
  const bodies = Array.from({ length: CONNS }, (_, i) => Buffer.alloc(MiB, i + 1));
  const socks: net.Socket[] = [];
  for (let i = 0; i < CONNS; i++) {
    socks.push(await connect());
    while (recorder.totals.connections < i + 2) await sleep(5); // opened in this order
  }
  const sending = socks.map(async (s, i) => {
    s.end(bodies[i]);
    await once(s, 'close');
  });
  // Let them send until nothing moves any more (all in, or all paused).
  let last = -1;
  while (recorder.totals.bytesFromClient !== last) {
    last = recorder.totals.bytesFromClient;
    await sleep(300);
  }
  const whileWaiting = { peak, read: recorder.totals.bytesFromClient, notices: [...notices] };
  const firstClosed = once(first, 'close');
  first.end();
  await Promise.all(sending);
  await firstClosed;
  await h.close();
  await recorder.close();
  return { file, whileWaiting, peak, written, expected: Buffer.concat([firstBytes, ...bodies]) };
}

describe('-o spool under one memory budget, live', () => {
  it('24 × 1 MiB behind an open connection: at most the budget in memory, the rest in temporary files; -o exact', async () => {
    const r = await run(false);
    expect(r.peak).toBeLessThanOrEqual(BUDGET);
    expect(r.written).toBeGreaterThan(CONNS * MiB - BUDGET - 1);
    expect(r.whileWaiting.notices).toEqual([]);
    expect(fs.readFileSync(r.file).equals(r.expected)).toBe(true);
  });

  it('temporary disk full: waiting senders are paused (one read each over budget at most), one notice; -o exact after the first closes', async () => {
    const r = await run(true);
    // Each waiting socket is paused after the read that put the spools over budget: one
    // read (at most 64 KiB) per connection above it, never what they all send (24 MiB).
    expect(r.whileWaiting.peak).toBeLessThanOrEqual(BUDGET + CONNS * 64 * KiB);
    expect(r.whileWaiting.read).toBeLessThan(CONNS * MiB / 2);
    expect(r.whileWaiting.notices).toHaveLength(1);
    expect(r.whileWaiting.notices[0]).toMatch(/\(ENOSPC\).*paused/);
    expect(r.peak).toBeLessThanOrEqual(BUDGET + CONNS * 64 * KiB);
    expect(fs.readFileSync(r.file).equals(r.expected)).toBe(true);
  }, 60_000);
});
