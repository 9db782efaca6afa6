// `npm run fuzz -- [--seconds N] [--count N] [--seed N] [--target a,b] [--max-input-ms N]`:
// runs every fuzz target (targets/index.ts) in a worker thread, one after the other, bounded by
// time and/or count, and prints inputs, rate and failures per target. A worker that stops
// making progress for --hang-seconds is terminated and its current input (kept in shared
// memory) saved as a hang. Failures are minimised and saved to test/fixtures/fuzz/
// (`<target>--<kind>--<hash>.bin`), where test/unit/fuzz/regressions.test.ts replays them.
// Exit 0 when nothing failed, 1 when something did, 2 on bad arguments.
// A development tool, not part of the wer-sniff command: it reads seeds and writes findings.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TARGETS } from './targets/index.js';
import { fuzz, minimise, type Failure, type RunStats } from './engine.js';
import { FUZZ_FIXTURES, loadRegressions, loadSeedFiles } from './seed-files.js';
import { MAX_INPUT_BYTES } from './mutate.js';

interface Args {
  seconds?: number;
  count?: number;
  seed: number;
  targets: string[];
  maxInputMs: number;
  hangSeconds: number;
  saveDir: string;
  save: boolean;
}

interface Job { target: string; seed: number; count?: number; seconds?: number; maxInputMs: number; shared: SharedArrayBuffer }

type Message =
  | { type: 'progress'; stats: Omit<RunStats, 'failures'> }
  | { type: 'done'; stats: Omit<RunStats, 'failures'>; failures: (Omit<Failure, 'input'> & { input: Uint8Array })[] };

const USAGE = 'usage: npm run fuzz -- [--seconds N] [--count N] [--seed N] [--target framer,pipeline,…] [--max-input-ms 1000] [--hang-seconds 30] [--no-save] [--list]';

function parseArgs(argv: string[]): Args | 'list' {
  const a: Args = { seed: 1273, targets: TARGETS.map((t) => t.name), maxInputMs: 1000, hangSeconds: 30, saveDir: FUZZ_FIXTURES, save: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    const num = (): number => {
      const n = Number(v());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${k} needs a non-negative number`);
      return n;
    };
    if (k === '--seconds') a.seconds = num();
    else if (k === '--count') a.count = Math.floor(num());
    else if (k === '--seed') a.seed = Math.floor(num()) >>> 0;
    else if (k === '--max-input-ms') a.maxInputMs = num();
    else if (k === '--hang-seconds') a.hangSeconds = num();
    else if (k === '--save-dir') a.saveDir = path.resolve(v());
    else if (k === '--no-save') a.save = false;
    else if (k === '--target') a.targets = v().split(',').map((s) => s.trim()).filter(Boolean);
    else if (k === '--list') return 'list';
    else throw new Error(`unknown option ${k}`);
  }
  const unknown = a.targets.filter((t) => !TARGETS.some((x) => x.name === t));
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')} (try --list)`);
  if (a.seconds === undefined && a.count === undefined) a.seconds = 10;
  return a;
}

// ---- worker ---------------------------------------------------------------------------------

function workerMain(job: Job): void {
  const target = TARGETS.find((t) => t.name === job.target)!;
  const files = [...loadSeedFiles(), ...loadRegressions().filter((r) => r.target === target.name).map((r) => ({ name: r.file, bytes: r.bytes }))];
  const seeds = target.seeds(files);
  const header = new Int32Array(job.shared, 0, 2);
  const data = new Uint8Array(job.shared, 8);
  const now = (): number => performance.now();
  const strip = (s: RunStats): Omit<RunStats, 'failures'> => ({ ...s, failures: undefined } as never);
  const stats = fuzz(target, seeds, {
    seed: job.seed,
    count: job.count,
    deadline: job.seconds === undefined ? undefined : now() + job.seconds * 1000,
    maxInputMs: job.maxInputMs,
    now,
    beforeInput(input) {
      data.set(input.subarray(0, data.length));
      header[0] = Math.min(input.length, data.length);
      Atomics.add(header, 1, 1);
    },
    onProgress: (s) => parentPort!.postMessage({ type: 'progress', stats: strip(s) } satisfies Message),
  });
  const failures = stats.failures.map((f) => minimise(target, f, now)).map((f) => ({ ...f, input: new Uint8Array(f.input) }));
  parentPort!.postMessage({ type: 'done', stats: strip(stats), failures } satisfies Message);
}

// ---- main -----------------------------------------------------------------------------------

function save(dir: string, target: string, kind: string, input: Buffer): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = `${target}--${kind}--${createHash('sha256').update(input).digest('hex').slice(0, 12)}.bin`;
  fs.writeFileSync(path.join(dir, name), input);
  return path.join(dir, name);
}

interface Outcome { stats?: Omit<RunStats, 'failures'>; failures: Failure[]; hang?: Buffer }

function runJob(job: Job, hangSeconds: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    const header = new Int32Array(job.shared, 0, 2);
    let last = Atomics.load(header, 1);
    let still = 0;
    let progress: Omit<RunStats, 'failures'> | undefined;
    const watchdog = setInterval(() => {
      const c = Atomics.load(header, 1);
      if (c !== last) {
        last = c;
        still = 0;
        return;
      }
      if (++still < hangSeconds) return;
      clearInterval(watchdog);
      const input = Buffer.from(new Uint8Array(job.shared, 8, header[0]));
      void worker.terminate().then(() => resolve({ stats: progress, failures: [], hang: input }));
    }, 1000);
    worker.on('message', (m: Message) => {
      if (m.type === 'progress') {
        progress = m.stats;
        process.stderr.write(`\r${job.target}: ${m.stats.inputs} inputs, ${Math.round(m.stats.ms / 1000)} s, ${m.stats.failureCount} failures   `);
        return;
      }
      clearInterval(watchdog);
      resolve({ stats: m.stats, failures: m.failures.map((f) => ({ ...f, input: Buffer.from(f.input) })) });
    });
    worker.on('error', (err) => {
      clearInterval(watchdog);
      resolve({ stats: progress, failures: [{ target: job.target, kind: 'exception', message: `worker died: ${err.message}`, input: Buffer.from(new Uint8Array(job.shared, 8, header[0])), ms: 0, n: -1 }] });
    });
  });
}

async function main(): Promise<number> {
  let args: Args | 'list';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'list') {
    for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(12)} ${t.about}\n`);
    return 0;
  }
  const perTarget = args.seconds === undefined ? undefined : args.seconds / args.targets.length;
  process.stdout.write(`fuzz: seed ${args.seed}, ${args.targets.length} targets, ${args.count !== undefined ? `${args.count} inputs` : ''}${args.count !== undefined && perTarget !== undefined ? ' or ' : ''}${perTarget !== undefined ? `${perTarget.toFixed(1)} s` : ''} each, limit ${args.maxInputMs} ms per input\n`);
  let total = 0;
  let failed = 0;
  const started = Date.now();
  for (const name of args.targets) {
    const shared = new SharedArrayBuffer(8 + MAX_INPUT_BYTES);
    const out = await runJob({ target: name, seed: args.seed, count: args.count, seconds: perTarget, maxInputMs: args.maxInputMs, shared }, args.hangSeconds);
    process.stderr.write('\r\x1b[K');
    const s = out.stats;
    const inputs = s?.inputs ?? 0;
    total += inputs;
    const rate = s && s.ms > 0 ? Math.round(inputs / (s.ms / 1000)) : 0;
    process.stdout.write(`${name.padEnd(12)} ${String(inputs).padStart(9)} inputs  ${((s?.ms ?? 0) / 1000).toFixed(1).padStart(7)} s  ${String(rate).padStart(7)}/s  slowest ${Math.round(s?.slowestMs ?? 0)} ms (${s?.slowestSize ?? 0} bytes)  failures ${s?.failureCount ?? 0}\n`);
    if (out.hang) {
      failed++;
      const file = args.save ? save(args.saveDir, name, 'hang', out.hang) : '(not saved)';
      process.stdout.write(`  HANG: no progress for ${args.hangSeconds} s on a ${out.hang.length}-byte input → ${file}\n`);
    }
    for (const f of out.failures) {
      failed++;
      const file = args.save ? save(args.saveDir, name, f.kind, f.input) : '(not saved)';
      process.stdout.write(`  ${f.kind.toUpperCase()} (input ${f.n}, ${f.input.length} bytes after minimising): ${f.message}${f.where ? ` at ${f.where}` : ''}\n    → ${file}\n`);
    }
  }
  process.stdout.write(`total ${total} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failed} distinct failures\n`);
  return failed ? 1 : 0;
}

if (isMainThread) {
  main().then((code) => (process.exitCode = code), (e) => {
    process.stderr.write(`fuzz: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
} else {
  workerMain(workerData as Job);
}
