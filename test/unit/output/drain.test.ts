import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { drainOf } from '../../../src/sinks/drain.js';
import { PrettySink } from '../../../src/sinks/pretty.js';

/** A writable that holds every write until release() (highWaterMark 4 bytes). */
function held(): { out: Writable; release(): void; fail(): void } {
  const pending: Array<(err?: Error) => void> = [];
  const out = new Writable({ highWaterMark: 4, write: (_c, _e, cb) => void pending.push(cb) });
  out.on('error', () => {});
  return {
    out,
    release: () => pending.splice(0).forEach((cb) => cb()),
    fail: () => pending.splice(0).forEach((cb) => cb(new Error('disk gone'))),
  };
}

describe('drainOf (waiting for a sink to drain)', () => {
  test('null while the stream takes more', () => {
    expect(drainOf(held().out)).toBeNull();
  });

  test('a thousand waits on a backed-up stream share one wait and one listener pair', async () => {
    const { out, release } = held();
    out.write('0123456789');
    const waits = Array.from({ length: 1000 }, () => drainOf(out));
    expect(new Set(waits).size).toBe(1);
    expect(out.listenerCount('drain')).toBe(1);
    release();
    await Promise.all(waits);
    expect(out.listenerCount('drain')).toBe(0);
    expect(drainOf(out)).toBeNull();
    // backed up again: a new wait
    out.write('0123456789');
    const again = drainOf(out);
    expect(again).not.toBe(waits[0]);
    release();
    await again;
  });

  test('a stream that fails while full ends the wait (it would never drain)', async () => {
    const { out, fail } = held();
    out.write('0123456789');
    const wait = drainOf(out)!;
    fail();
    await expect(wait).resolves.toBeUndefined();
  });

  test('PrettySink.waitDrain asked per chunk adds no listeners beyond the one wait', async () => {
    const { out, release } = held();
    const sink = new PrettySink(out, { paint: undefined as never, times: false } as never);
    out.write('0123456789');
    for (let i = 0; i < 200; i++) sink.waitDrain();
    expect(out.listenerCount('drain')).toBe(1);
    release();
    await sink.waitDrain();
  });
});
