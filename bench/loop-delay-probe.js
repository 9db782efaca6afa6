// Preloaded into a listener by the head-of-line benches (`node --import bench/loop-delay-probe.js
// …`, with WER_SNIFF_LOOP_PROBE=<file>): the listener's own event-loop delay (how late a 5 ms
// timer ran on the thread that serves sockets) from the moment the benchmark sends it SIGUSR2
// (its start-up, module loading, is left out), written to <file> as JSON when it exits. Unlike
// the clients' answer times, it leaves out how late the benchmark's own process was scheduled,
// so on a busy machine it tells the listener's stalls from the machine's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import fs from 'node:fs';

const out = process.env.WER_SNIFF_LOOP_PROBE;
if (out && isMainThread) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  process.on('SIGUSR2', () => h.reset());
  process.on('exit', () => {
    h.disable();
    fs.writeFileSync(out, JSON.stringify({ p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 }));
  });
}

/** `node` arguments that preload this probe, how to start its measurement (`start(child)`),
 * and how to read what it wrote once the process exited ({ p99Ms, maxMs }, or undefined). */
export function loopDelayProbe(file) {
  return {
    start: (child) => child.kill('SIGUSR2'),
    execArgv: ['--import', new URL(import.meta.url).href],
    env: { ...process.env, WER_SNIFF_LOOP_PROBE: file },
    read() {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        return undefined;
      }
    },
  };
}
