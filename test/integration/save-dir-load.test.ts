// 400 reports at once into `listen --save-dir` running under `ulimit -n 256` (bash; skipped
// with a warning where there is none): each report opening its files at once used to run out
// of descriptors and lose most folders with exit 0. Now every folder is complete, nothing is
// left half-written, and at most one EMFILE notice is printed. The heavier runs are in
// bench/save-dir-load.js (outside npm test).
import { describe, expect, it } from 'vitest';
import { hasCommand } from '../helpers/cli.js';
import { run } from '../../bench/save-dir-load.js';

const bash = process.platform !== 'win32' && hasCommand('bash');
if (!bash) console.warn('skipping the ulimit -n --save-dir test: no bash');

describe.skipIf(!bash)('--save-dir with 400 concurrent reports under ulimit -n 256', () => {
  it('saves every report whole and exits 0', async () => {
    const f = await run({ count: 400, limit: 256 });
    expect(f.answered).toBe(400);
    expect(f.complete).toBe(400);
    expect(f.folders).toBeGreaterThanOrEqual(400);
    expect(f.leftovers).toBe(0);
    // At most the one "out of file descriptors … their files wait in a queue" notice.
    expect(f.emfileLines).toBeLessThanOrEqual(1);
    expect(f.summary).toMatch(/^stopped: \d+ connections, \d+ requests, \d+ reports, /);
    expect(f.summary).not.toMatch(/not saved/);
    expect(f.exitCode).toBe(0);
  }, 120_000);
});
