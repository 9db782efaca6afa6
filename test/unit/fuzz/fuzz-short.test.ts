// The short fuzz run that is part of `npm test`: every target, a fixed seed, a few hundred
// inputs each (every seed unchanged first, then mutations). Any failure is printed with the
// command that reproduces it. The long run is `npm run fuzz` (README "Fuzzing").
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/fuzz/targets/index.js';
import { fuzz } from '../../../src/fuzz/engine.js';
import { loadSeedFiles } from '../../../src/fuzz/seed-files.js';

const SEED = 1273;
/** Inputs per target: the pipeline is the slowest per input. */
const COUNT: Record<string, number> = { pipeline: 250, xml: 200, cab: 200, 'wer-report': 250 };

const files = loadSeedFiles();

describe('short fuzz run (seed 1273)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: no exception, no invariant broken, no input over its time limit`, () => {
      const seeds = target.seeds(files);
      expect(seeds.length).toBeGreaterThan(0);
      const stats = fuzz(target, seeds, { seed: SEED, count: COUNT[target.name] ?? 400, maxInputMs: 2000, now: () => performance.now() });
      const report = stats.failures.map((f) => `${f.kind} on input ${f.n} (${f.input.length} bytes): ${f.message}${f.where ? ` at ${f.where}` : ''}\n  reproduce: npm run fuzz -- --target ${target.name} --seed ${SEED} --count ${f.n + 1}`);
      expect(report).toEqual([]);
      expect(stats.inputs).toBe(COUNT[target.name] ?? 400);
    }, 60_000);
  }
});
