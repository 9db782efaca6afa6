// Replays every input the fuzzer ever failed on (test/fixtures/fuzz/<target>--<kind>--<hash>.bin)
// through its target: each one must now pass — no exception, no broken invariant, in time. The
// time limit is generous (5 s per 256 KiB) and counts this process's CPU time, not wall time:
// on a machine six times oversubscribed the 525 KB CAB hang case took 10.2 s of wall time
// (1.3 s alone), while a real hang still runs into the limit. The super-linear cases are
// pinned down by scaling.test.ts.
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/tools/fuzz/targets/index.js';
import { runOne } from '../../../src/tools/fuzz/engine.js';
import { loadRegressions } from '../../../src/tools/fuzz/seed-files.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const saved = loadRegressions();

describe('fuzz regressions', () => {
  it('the folder holds findings, each named after a known target', () => {
    expect(saved.length).toBeGreaterThan(0);
    for (const r of saved) expect(TARGETS.map((t) => t.name), r.file).toContain(r.target);
  });
  for (const r of saved) {
    it(`${r.file} passes its target`, () => {
      const target = TARGETS.find((t) => t.name === r.target)!;
      const f = runOne(target, r.bytes, 5000, cpuMs);
      expect(f ? `${f.kind}: ${f.message}` : undefined).toBeUndefined();
    }, 120_000);
  }
});
