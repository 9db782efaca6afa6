// FileSlots: never more than `limit` jobs hold a file at once, and a job that runs out of
// descriptors (EMFILE/ENFILE) waits and runs again instead of failing.
import { describe, expect, it } from 'vitest';
import { FileSlots } from '../../../src/sinks/save-dir/file-slots.js';

const busy = (code = 'EMFILE') => Object.assign(new Error(`${code}: too many open files`), { code });

describe('FileSlots', () => {
  it('runs at most `limit` jobs at once and every job in the end', async () => {
    const slots = new FileSlots({ limit: 3 });
    let open = 0;
    let peak = 0;
    const done = await Promise.all(Array.from({ length: 50 }, (_, i) => slots.run(async () => {
      peak = Math.max(peak, ++open);
      await new Promise((r) => setTimeout(r, 1));
      open--;
      return i;
    })));
    expect(done).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(slots.busy).toEqual({ active: 0, queued: 0 });
  });

  it('waits out EMFILE and ENFILE, tells once, and hands the attempt number to the job', async () => {
    const told: string[] = [];
    const slots = new FileSlots({ limit: 2, onExhausted: (code) => told.push(code) });
    const attempts: number[] = [];
    const result = await slots.run((attempt) => {
      attempts.push(attempt);
      if (attempt < 2) throw busy(attempt ? 'ENFILE' : 'EMFILE');
      return 'written';
    });
    expect(result).toBe('written');
    expect(attempts).toEqual([0, 1, 2]);
    await slots.run((attempt) => {
      if (attempt === 0) throw busy();
    });
    expect(told).toEqual(['EMFILE']);
    expect(slots.retries).toBe(3);
  });

  it('a result that says it ran out of descriptors is retried too (CAB extraction reports errors, not throws)', async () => {
    const slots = new FileSlots();
    const r = await slots.run((attempt) => ({ attempt, errors: attempt ? [] : [{ code: 'EMFILE' }] }), (x) => x.errors.length > 0);
    expect(r).toEqual({ attempt: 1, errors: [] });
  });

  it('other errors fail at once; EMFILE fails once patience is used up', async () => {
    const slots = new FileSlots({ patienceMs: 30 });
    await expect(slots.run(() => { throw Object.assign(new Error('no space'), { code: 'ENOSPC' }); })).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(slots.run(() => { throw busy(); })).rejects.toMatchObject({ code: 'EMFILE' });
    expect(slots.busy).toEqual({ active: 0, queued: 0 });
  });
});
