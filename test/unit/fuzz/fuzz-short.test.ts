// The short fuzz run that is part of `npm test`: every target, a fixed seed, 100–300 inputs
// each (every seed unchanged first, then mutations; seeds up to 64 KiB; no amplification, so
// it takes seconds). Any failure is printed with the command that reproduces it. The long run
// is `npm run fuzz` (README "Fuzzing").
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/tools/fuzz/targets/index.js';
import { fuzz } from '../../../src/tools/fuzz/engine.js';
import { loadSeedFiles } from '../../../src/tools/fuzz/seed-files.js';

const SEED = 1273;
/** Inputs per target (the pipeline and XML targets are the slowest per input). */
const COUNT: Record<string, number> = { framer: 150, pipeline: 120, charset: 200, xml: 100, 'wer-report': 120, cab: 150, minidump: 300 };

const files = loadSeedFiles();

describe('short fuzz run (seed 1273)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: no exception, no invariant broken, no input over its time limit`, () => {
      const seeds = target.seeds(files);
      expect(seeds.length).toBeGreaterThan(0);
      // no amplification here: big inputs are the long run's job (and the corpus test's)
      const stats = fuzz(target, seeds, { seed: SEED, count: COUNT[target.name] ?? 100, maxInputMs: 2000, amplifyRate: 0, now: () => performance.now() });
      const report = stats.failures.map((f) => `${f.kind} on input ${f.n} (${f.input.length} bytes): ${f.message}${f.where ? ` at ${f.where}` : ''}\n  reproduce: npm run fuzz -- --target ${target.name} --seed ${SEED} --count ${f.n + 1}`);
      expect(report).toEqual([]);
      expect(stats.inputs).toBe(COUNT[target.name] ?? 100);
    }, 60_000);
  }
});
