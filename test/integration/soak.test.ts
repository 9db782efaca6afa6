// A 3-second soak (bench/soak.js, 4 concurrent clients of every kind) as part of the suite: the
// only test where well-formed, malformed and aborting clients overlap on one listener with -o,
// --save-dir and --json at once. It proves the same checks as `npm run soak` (the long run, see
// the README): nothing lost, bytes exact per connection, no fd leaked. The long run is
// `npm run soak -- --seconds 600`; it is not part of `npm test`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

it('3-second soak: every report, CAB and byte arrives, each connection exact (a reset one a prefix); no fd leaked', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'soak.js'), '--seconds', '3', '--clients', '4', '--rate', '20', '--min-connections', '24', '--json'], { timeout: 150_000 });
  const out = r.stdout.toString();
  const fig = JSON.parse(out.trim().split('\n').at(-1)!);
  // Every check but RSS growth, which three seconds of a warming process cannot judge (the
  // 10-minute `npm run soak` does).
  expect(fig.failed.filter((what: string) => !what.startsWith('RSS')), out + r.stderr.toString()).toEqual([]);
  expect(fig.exitCode).toBe(0);
  // 3 s at 20 a second, or longer on a loaded machine (at most a minute more) until 24 were made.
  expect(fig.connections).toBeGreaterThanOrEqual(24);
  expect(fig.good + fig.malformed + fig.aborted).toBe(fig.connections);
  expect(fig.good).toBeGreaterThan(0);
  expect(fig.clientErrors).toBe(0);
  expect(fig.reportsInJson).toBe(fig.reportsSent);
  expect(fig.reportFolders).toBe(fig.reportsSent);
  expect(fig.cabsSaved).toBe(fig.cabsAcknowledged);
  expect(fig.connectionsCaptured).toBe(fig.connections);
  // Every connection's bytes are in -o exactly; only one that reset may be a prefix (the kernel
  // drops what was not read yet), and only aborting clients reset.
  expect(fig.mismatched).toBe(0);
  expect(fig.connectionsExact + fig.resetPrefixes).toBe(fig.connectionsCaptured);
  expect(fig.resetPrefixes).toBeLessThanOrEqual(fig.aborted);
  expect(fig.connectionsExact).toBeGreaterThanOrEqual(fig.connections - fig.aborted);
  expect(fig.bytesCaptured).toBeLessThanOrEqual(fig.bytesSent);
  if (fig.resetPrefixes === 0) expect(fig.bytesCaptured).toBe(fig.bytesSent);
  if (process.platform === 'linux') expect(fig.fdEnd).toBeLessThanOrEqual(fig.fdStart);
}, 180_000);
