// Shared by the long-running commands: wait for a signal, the end of a `--once` run, or a
// fatal output error; count reports; the one-line summary printed at the end.
import type { CaptureEvent, Sink } from '../model.js';
import type { Refusal } from '../sources/net/gate.js';
import type { RefusalLog } from './refusal-log.js';
import type { Totals } from '../pipeline/recorder.js';
import type { WerSniffError } from '../errors.js';
import { saveDirLost } from './save-dir-setup.js';
import { isLevel1Request } from '../domain/server/cer-server.js';
import { formatSize } from '../util/size.js';
import { formatAddress } from '../util/address.js';
import { warmCabWorker } from '../pipeline/workers/cab-offload.js';
import { loadCharsets } from '../domain/body/charset.js';

/** Before `listen` or `relay` accepts its first client: the CAB worker has loaded its code
 * (cab-offload.ts: warm; it then ends with the run) and this thread its charset tables
 * (charset.ts), so a burst of clients holding every descriptor cannot make those loads fail. */
export async function readyForClients(): Promise<void> {
  loadCharsets();
  await warmCabWorker();
}

export function countingSink(): Sink & { reports: number } {
  const sink = {
    reports: 0,
    event(ev: Parameters<NonNullable<Sink['event']>>[0]) {
      if (ev.type === 'request' && ev.exchange.request && isLevel1Request(ev.exchange.request.head)) sink.reports++;
    },
    async close() {},
  };
  return sink;
}

/** A connection turned away at the door: one stderr line naming the peer (rate-limited, see
 * refusal-log.ts), and a `refused` event for --json and the summary. */
export function reportRefusal(recorder: { emit(ev: CaptureEvent): void }, r: Refusal, log: RefusalLog): void {
  log.log(r);
  const connection = { id: 0, peer: r.peer, local: r.local, openedAt: r.ts, closedAt: r.ts, bytesFromClient: 0, bytesFromServer: 0 };
  recorder.emit({ type: 'refused', ts: r.ts, connection, reason: r.reason, message: r.message });
}

/** Resolves with undefined on SIGINT/SIGTERM or `done`, or with the output error. */
export function waitForStop(done: Promise<void>, fileError: Promise<WerSniffError>): Promise<WerSniffError | undefined> {
  return new Promise((resolve) => {
    const stop = (value: WerSniffError | undefined) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(value);
    };
    const onSignal = () => stop(undefined);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void done.then(() => stop(undefined));
    void fileError.then((e) => stop(e));
  });
}

export function formatSummary(t: Totals, reports: number, lost = 0): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `stopped: ${plural(t.connections, 'connection')}, ${plural(t.requests, 'request')}, ${plural(reports, 'report')}, ` +
    `${formatSize(t.bytesFromClient)} from clients, ${formatSize(t.bytesFromServer)} to clients` +
    (t.problems ? `, ${plural(t.problems, 'problem')}` : '') +
    (t.refused ? `, ${t.refused} refused` : '') +
    (lost ? `, ${plural(lost, 'report')} not saved` : '');
}

export interface Running {
  address: string;
  port: number;
  /** Resolves when the server stops by itself (`--once`); never for a relay. */
  done?: Promise<void>;
  close(): Promise<void>;
}

/** `--save-dir`: how many reports it could not save whole, and where. */
export interface SavedReports {
  readonly lost: number;
  readonly dir: string;
}

/** Prints the `listening on` line, serves until stopped, flushes every output, prints the
 * summary, and throws the first output failure (or, with `saved`, reports it lost). Shared by
 * `listen` and `relay`. */
export async function serveUntilStopped(
  running: Running, what: string, recorder: { totals: Totals; close(): Promise<void> },
  outputs: { fileError: Promise<WerSniffError>; failure(): WerSniffError | undefined; filtered?: { describe(): string } }, reports: () => number,
  saved?: SavedReports,
  stats?: { start(): void; stop(): void },
): Promise<number> {
  // The signal handlers are in place before the line that tells a script it may signal us.
  const stopped = waitForStop(running.done ?? new Promise(() => {}), outputs.fileError);
  process.stderr.write(`listening on ${formatAddress(running.address, running.port)}${what}\n`);
  stats?.start();
  const failure = await stopped;
  await running.close();
  // The bucket table, before the outputs close (--json puts it in the NDJSON stream).
  stats?.stop();
  await recorder.close();
  const lost = saved?.lost ?? 0;
  process.stderr.write(formatSummary(recorder.totals, reports(), lost) + '\n');
  if (outputs.filtered) process.stderr.write(`wer-sniff: ${outputs.filtered.describe()}\n`);
  const failed = failure ?? outputs.failure() ?? (lost ? saveDirLost(lost, saved!.dir) : undefined);
  if (failed) throw failed;
  return 0;
}
