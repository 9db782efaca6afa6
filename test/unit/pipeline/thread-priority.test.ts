// Helper threads that do long work run behind the socket thread: on Linux the calling thread
// alone gets a higher nice value (the process's other threads keep theirs); elsewhere nothing
// changes and the call says so. The worker loads the compiled module (dist/, kept fresh by the
// global setup): a plain worker thread cannot load TypeScript.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { BACKGROUND_NICE, lowerThisThreadPriority } from '../../../src/pipeline/workers/thread-priority.js';

const linux = process.platform === 'linux';

test('the main thread is never lowered (that would lower the whole process)', () => {
  const before = os.getPriority();
  expect(lowerThisThreadPriority()).toBe(false);
  expect(os.getPriority()).toBe(before);
});

test.runIf(linux)('a helper thread lowers itself only', async () => {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const fs = require('node:fs'), os = require('node:os');
    import(${JSON.stringify(new URL('../../../dist/pipeline/workers/thread-priority.js', import.meta.url).href)}).then((m) => {
      const lowered = m.lowerThisThreadPriority();
      const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
      parentPort.postMessage({ lowered, mine: os.getPriority(tid) });
    }, (e) => parentPort.postMessage({ error: String(e) }));`;
  const before = os.getPriority();
  const w = new Worker(source, { eval: true });
  const got = await new Promise<{ lowered?: boolean; mine?: number; error?: string }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  expect(got).toEqual({ lowered: true, mine: Math.max(before, BACKGROUND_NICE) });
  expect(os.getPriority()).toBe(before);
});
