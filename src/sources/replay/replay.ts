// `wer-sniff replay`: sends prepared requests to a target, one at a time, each after the previous
// answer. The requests of one captured connection share one connection (keep-alive as captured)
// unless `newConnection`; a connection the server closed or broke is opened again for the next
// request. `rate` caps requests per second (request k goes no earlier than k/rate s after the
// start); `count` repeats the whole set. A refusal, a close without an answer or a timeout is
// one notice and a failed request; replay goes on with the next.
import type { Recorder } from '../../pipeline/recorder.js';
import type { PreparedConnection } from './prepare.js';
import { ReplaySession } from './replay-session.js';

export interface ReplayOptions {
  to: { host: string; port: number };
  connections: PreparedConnection[];
  recorder: Recorder;
  newConnection?: boolean;
  /** Requests per second at most. */
  rate?: number;
  count?: number;
  timeoutMs: number;
  onNotice(message: string): void;
  /** Resolves when the run should stop early (SIGINT). */
  stop?: Promise<void>;
}

export interface ReplayTotals {
  sent: number;
  answered: number;
  failed: number;
  connections: number;
  elapsedMs: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayTotals> {
  const totals: ReplayTotals = { sent: 0, answered: 0, failed: 0, connections: 0, elapsedMs: 0 };
  const started = performance.now();
  let stopped = false;
  void opts.stop?.then(() => (stopped = true));
  let attempt = 0;
  for (let round = 0; round < (opts.count ?? 1) && !stopped; round++) {
    for (const conn of opts.connections) {
      let session: ReplaySession | undefined;
      for (const [i, req] of conn.requests.entries()) {
        if (stopped) break;
        if (opts.rate) await sleep(started + (attempt * 1000) / opts.rate - performance.now(), opts.stop);
        if (stopped) break;
        attempt++;
        const what = `${conn.name} request ${i + 1} (${req.label.slice(0, 80)})`;
        if (!session || !session.reusable || opts.newConnection) {
          await session?.close();
          session = undefined;
          try {
            session = await ReplaySession.connect(opts.to, opts.recorder, ++totals.connections, opts.timeoutMs);
          } catch (err) {
            totals.connections--;
            totals.failed++;
            opts.onNotice(`${what}: ${(err as Error).message}; going on with the next`);
            continue;
          }
        }
        totals.sent++;
        const outcome = await Promise.race([
          session.send(req, opts.timeoutMs).then(() => undefined, (err: Error) => err),
          (opts.stop ?? new Promise<never>(() => {})).then(() => 'stopped' as const),
        ]);
        if (outcome === 'stopped') {
          session.abort();
          totals.failed++;
          opts.onNotice(`${what}: interrupted before the answer came`);
          break;
        }
        if (outcome) {
          totals.failed++;
          opts.onNotice(`${what}: ${outcome.message}; going on with the next`);
        } else totals.answered++;
        const wait = opts.recorder.backpressure();
        if (wait) await wait;
      }
      await session?.close();
    }
  }
  totals.elapsedMs = performance.now() - started;
  return totals;
}

function sleep(ms: number, stop?: Promise<void>): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void stop?.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

export function formatReplaySummary(t: ReplayTotals): string {
  const secs = t.elapsedMs / 1000;
  const rate = secs > 0 ? t.sent / secs : 0;
  return `replayed: ${t.sent} sent, ${t.answered} answered, ${t.failed} failed, ${t.connections} connection${t.connections === 1 ? '' : 's'}, ` +
    `${rate.toFixed(1)} req/s over ${secs.toFixed(2)} s`;
}
