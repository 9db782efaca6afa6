// Shared by the long-running commands: wait for a signal, the end of a `--once` run, or a
// fatal output error; count reports; the one-line summary printed at the end.
import type { Sink } from '../model.js';
import type { Totals } from '../capture/recorder.js';
import type { WerSniffError } from '../errors.js';
import { isLevel1Request } from '../wer/cer-server.js';
import { formatSize } from '../output/size.js';

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

export function formatSummary(t: Totals, reports: number): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `stopped: ${plural(t.connections, 'connection')}, ${plural(t.requests, 'request')}, ${plural(reports, 'report')}, ` +
    `${formatSize(t.bytesFromClient)} from clients, ${formatSize(t.bytesFromServer)} to clients` +
    (t.problems ? `, ${plural(t.problems, 'problem')}` : '');
}
