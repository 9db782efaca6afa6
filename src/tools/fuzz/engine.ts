// The fuzz loop for one target: input n is made from a seed by 1–6 stacked mutations chosen by
// a PRNG seeded from (run seed, n), so `--seed` replays a run exactly; each input is timed and
// anything thrown or too slow becomes a Failure. Failures are deduplicated by a signature and
// can be minimised (delta debugging: drop ever smaller slices while it still fails the same
// way). Pure: the clock comes in as `now`, seeds come in as buffers; no fs, no console.
import { amplify, type Mutator } from './mutate.js';
import { createRng, inputSeed } from './rng.js';
import { InvariantError } from './check.js';
import type { FuzzTarget } from './target.js';

export type FailureKind = 'exception' | 'invariant' | 'slow';

export interface Failure {
  target: string;
  kind: FailureKind;
  message: string;
  /** Where it was thrown (first stack frame in our code), for exceptions. */
  where?: string;
  input: Buffer;
  ms: number;
  /** Input number in the run (replay with the same seed). */
  n: number;
}

export interface RunOptions {
  seed: number;
  /** Stop after this many inputs. */
  count?: number;
  /** Stop when now() passes this. */
  deadline?: number;
  /** An input taking longer than this (twice) is a `slow` failure. */
  maxInputMs: number;
  now: () => number;
  /** Called about every `progressEvery` inputs and before each one with the input (watchdog). */
  beforeInput?(input: Buffer, n: number): void;
  onProgress?(stats: RunStats): void;
  /** Failures of one signature kept (the first, usually smallest). Default 1. */
  perSignature?: number;
  /** Probability of amplifying an input (one slice repeated to 64 KiB–1 MiB). Default AMPLIFY_RATE. */
  amplifyRate?: number;
}

export interface RunStats {
  target: string;
  inputs: number;
  bytes: number;
  ms: number;
  slowestMs: number;
  slowestSize: number;
  failures: Failure[];
  /** Failures seen in total, duplicates included. */
  failureCount: number;
}

/** Probability that an input is amplified (one slice repeated up to 1 MiB). */
export const AMPLIFY_RATE = 0.01;
/** Seeds larger than this are not used as starting points (they slow every input down; the
 * big cases come from amplification and from the bad-input corpus test). */
export const MAX_SEED_BYTES = 64 * 1024;

/** Makes input `n` of a run. */
export function makeInput(target: FuzzTarget, seeds: readonly Buffer[], runSeed: number, n: number, amplifyRate = AMPLIFY_RATE): Buffer {
  if (n < seeds.length) return seeds[n]!; // every seed once, unchanged
  const r = createRng(inputSeed(runSeed, n));
  let input = r.pick(seeds);
  const stacked = 1 + r.int(r.chance(0.7) ? 3 : 6);
  for (let k = 0; k < stacked; k++) {
    const m: Mutator = r.pick(target.mutators);
    try {
      input = m(input, r, seeds);
    } catch {
      // a mutation that does not fit this input (a field past its end): skip it
    }
  }
  if (r.chance(amplifyRate)) input = amplify(input, r, seeds);
  return input;
}

function stackFrame(e: unknown): string | undefined {
  const stack = e instanceof Error ? e.stack ?? '' : '';
  const line = stack.split('\n').find((l) => /^\s+at /.test(l) && !/node:internal|\/fuzz\//.test(l));
  return line?.trim().replace(/^at /, '').replace(/\(.*[\\/](src|dist)[\\/]/, '($1/').replace(/:\d+\)$/, ')');
}

/** Inputs up to this size get `maxInputMs`; larger ones proportionally more (a 1 MiB input
 * 4×): linear work on big inputs is fine, super-linear work still blows far past it. */
export const LIMIT_SCALE_BYTES = 256 * 1024;

export function timeLimit(maxInputMs: number, size: number): number {
  return maxInputMs * Math.max(1, size / LIMIT_SCALE_BYTES);
}

/** Runs one input; a Failure when it throws or takes longer than its time limit twice. */
export function runOne(target: FuzzTarget, input: Buffer, maxInputMs: number, now: () => number, n = 0): Failure | undefined {
  const limit = timeLimit(maxInputMs, input.length);
  const t0 = now();
  try {
    target.run(input);
  } catch (e) {
    const kind: FailureKind = e instanceof InvariantError ? 'invariant' : 'exception';
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const where = kind === 'exception' ? stackFrame(e) : undefined;
    return { target: target.name, kind, message, ...(where ? { where } : {}), input, ms: now() - t0, n };
  }
  let ms = now() - t0;
  if (ms > limit) {
    // once more, to tell a slow input from a busy machine or a GC pause
    const t1 = now();
    target.run(input);
    ms = Math.min(ms, now() - t1);
    if (ms > limit) return { target: target.name, kind: 'slow', message: `took ${Math.round(ms)} ms (limit ${Math.round(limit)} ms) for ${input.length} bytes`, input, ms, n };
  }
  return undefined;
}

/** What makes two failures "the same bug": kind, place, and the message without numbers. */
export function signature(f: Pick<Failure, 'kind' | 'message' | 'where'>): string {
  if (f.kind === 'slow') return 'slow';
  return `${f.kind}|${f.where ?? ''}|${f.message.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '"…"').slice(0, 160)}`;
}

export function fuzz(target: FuzzTarget, allSeeds: readonly Buffer[], opts: RunOptions): RunStats {
  const seeds = allSeeds.filter((s) => s.length <= MAX_SEED_BYTES);
  if (seeds.length === 0) throw new Error(`fuzz target ${target.name} has no seeds`);
  const stats: RunStats = { target: target.name, inputs: 0, bytes: 0, ms: 0, slowestMs: 0, slowestSize: 0, failures: [], failureCount: 0 };
  const bySignature = new Map<string, number>();
  const start = opts.now();
  let lastProgress = start;
  for (let n = 0; ; n++) {
    if (opts.count !== undefined && n >= opts.count) break;
    if (opts.deadline !== undefined && opts.now() >= opts.deadline) break;
    const input = makeInput(target, seeds, opts.seed, n, opts.amplifyRate);
    opts.beforeInput?.(input, n);
    const t0 = opts.now();
    const failure = runOne(target, input, opts.maxInputMs, opts.now, n);
    const ms = failure?.ms ?? opts.now() - t0;
    stats.inputs++;
    stats.bytes += input.length;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowestSize = input.length;
    }
    if (failure) {
      stats.failureCount++;
      const sig = signature(failure);
      const seen = bySignature.get(sig) ?? 0;
      if (seen < (opts.perSignature ?? 1)) stats.failures.push(failure);
      bySignature.set(sig, seen + 1);
    }
    const t = opts.now();
    if (opts.onProgress && t - lastProgress >= 1000) {
      lastProgress = t;
      stats.ms = t - start;
      opts.onProgress(stats);
    }
  }
  stats.ms = opts.now() - start;
  return stats;
}

/**
 * Delta debugging: removes slices (halves, quarters, … single bytes) while the input still
 * fails with the same signature. Stops after `maxRuns` tries. Slow failures are not minimised
 * (shrinking a slow input makes it fast; the whole input is the evidence).
 */
export function minimise(target: FuzzTarget, failure: Failure, now: () => number, maxRuns = 3000): Failure {
  if (failure.kind === 'slow') return failure;
  const sig = signature(failure);
  let best = failure;
  let runs = 0;
  for (let size = Math.max(1, best.input.length >> 1); size >= 1 && runs < maxRuns; size >>= 1) {
    for (let at = 0; at < best.input.length && runs < maxRuns;) {
      const cand = Buffer.concat([best.input.subarray(0, at), best.input.subarray(at + size)]);
      runs++;
      const f = runOne(target, cand, Infinity, now, failure.n);
      if (f && signature(f) === sig) best = f;
      else at += size;
    }
  }
  return best;
}
