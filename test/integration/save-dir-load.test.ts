// 300 reports at once into `listen --save-dir -o` running under `ulimit -n 128` (bash; skipped
// with a warning where there is none), the clients in this process with its own limit: each
// report opening its files at once used to run out of descriptors and lose most folders with
// exit 0. Now connections beyond the descriptors are closed at once (the clients try again, as
// Windows does), every folder is complete, every CAB a client had answered is saved byte for
// byte, the -o capture holds exactly what the clients sent, nothing is left half-written, and at
// most one EMFILE notice is printed. The 5,000-client run is bench/save-dir-load.js.
import { describe, expect, it } from 'vitest';
import { hasCommand } from '../helpers/cli.js';
import { run } from '../../bench/save-dir-load.js';

const bash = process.platform !== 'win32' && hasCommand('bash');
if (!bash) console.warn('skipping the ulimit -n --save-dir test: no bash');

describe.skipIf(!bash)('--save-dir with 300 concurrent reports under ulimit -n 128', () => {
  it('saves every report whole and exits 0', async () => {
    // Clients give up after 90 s of tries, so a stuck report fails with figures, not a timeout.
    const f = await run({ count: 300, limit: 128, patience: 90 });
    expect(f.answered).toBe(300);
    // Every report complete; a client that gave up waiting (15 s, on a starved machine) after
    // the listener had saved its report sends it again, and that second copy is a report too.
    expect(f.complete).toBeGreaterThanOrEqual(300);
    expect(f.complete).toBeLessThanOrEqual(300 + f.retried * (f.maxAttempts - 1));
    expect(f.folders).toBeGreaterThanOrEqual(300);
    expect(f.answeredCabNotSaved).toBe(0);
    expect(f.answeredNotInCapture).toBe(0);
    expect(f.foreignBytes).toBe(0);
    expect(f.leftovers).toBe(0);
    // Stopping waits for the CAB summaries still queued: bounded, not a hang.
    expect(f.stopSeconds).toBeLessThan(60);
    // At most the one "out of file descriptors … their files wait in a queue" notice.
    expect(f.emfileLines).toBeLessThanOrEqual(1);
    expect(f.summary).toMatch(/^stopped: \d+ connections, \d+ requests, \d+ reports, /);
    expect(f.summary).not.toMatch(/not saved/);
    expect(f.exitCode).toBe(0);
  }, 200_000);
});
