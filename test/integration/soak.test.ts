// A short soak (bench/soak.js, 8 s, 4 clients) as part of the suite: the same checks as the
// 10-minute run in the README — nothing lost, bytes exact, RSS bounded, no fd leaked.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

it('8-second soak: every report, CAB and byte arrives; RSS bounded; no fd leaked', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'soak.js'), '--seconds', '8', '--clients', '4', '--rate', '15', '--json'], { timeout: 90_000 });
  const out = r.stdout.toString();
  expect(r.status, out + r.stderr.toString()).toBe(0);
  const fig = JSON.parse(out.trim().split('\n').at(-1)!);
  expect(fig.ok).toBe(true);
  expect(fig.connections).toBeGreaterThan(40);
  expect(fig.good + fig.malformed + fig.aborted).toBe(fig.connections);
  expect(fig.malformed).toBeGreaterThan(0);
  expect(fig.reportsInJson).toBe(fig.reportsSent);
  expect(fig.reportFolders).toBe(fig.reportsSent);
  // A reset may drop bytes the kernel had not handed over yet; otherwise every byte is there.
  if (fig.resetPrefixes === 0) expect(fig.bytesCaptured).toBe(fig.bytesSent);
  else expect(fig.bytesCaptured).toBeLessThan(fig.bytesSent);
  expect(fig.mismatched).toBe(0);
  // Helper threads start on first use and keep their descriptors: compared from a quarter in.
  if (process.platform === 'linux') expect(fig.fdEnd).toBe(fig.fdWarm);
}, 120_000);
