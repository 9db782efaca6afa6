// The `replay` action: read the inputs (raw, pcap/pcapng, HAR, --save-dir folders), frame and filter the requests, send them to --to
// through the shared outputs (view, --json, --har, --pcap), print the summary line.
import { tcpFilterOf } from './options.js';
import { Recorder } from '../pipeline/recorder.js';
import { readReplaySource } from '../sources/files/replay-input.js';
import { replay, formatReplaySummary, type ReplayTotals } from '../sources/replay/replay.js';
import { prepareRequests } from '../sources/replay/prepare.js';
import { WerSniffError } from '../errors.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { escapeControl } from '../util/escape.js';

export interface ReplayFlags extends OutputFlags {
  to: { host: string; port: number };
  newConnection?: boolean;
  rate?: number;
  count: number;
  timeout: number;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

export async function runReplay(files: string[], flags: ReplayFlags): Promise<number> {
  const notice = (m: string) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`);
  const source = await readReplaySource(files, flags.maxHeaderBytes, tcpFilterOf(flags));
  for (const n of source.notes) notice(n);
  const { connections, skipped } = prepareRequests(source, flags.filter);
  if (skipped) notice(`${skipped} request${skipped === 1 ? '' : 's'} not sent (${flags.filter ? 'left out by --filter or ' : ''}not a complete HTTP request)`);
  if (!connections.length) {
    throw new WerSniffError('nothing-to-replay', `no request to send in ${files.join(', ')}${flags.filter ? ' that matches --filter' : ''} — check the capture`);
  }
  const outputs = await createOutputs({ ...flags, raw: false, output: undefined }, true);
  const recorder = new Recorder({ sinks: outputs.sinks, check: outputs.checks, maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes, wholeBodies: Boolean(flags.includeBodies) });
  let onSignal = () => {};
  const stop = new Promise<void>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let totals: ReplayTotals | undefined;
  let failure: WerSniffError | undefined;
  try {
    const run = replay({
      to: flags.to, connections, recorder, newConnection: flags.newConnection, rate: flags.rate, count: flags.count,
      timeoutMs: flags.timeout, onNotice: notice, stop,
    });
    const result = await Promise.race([run, outputs.fileError]);
    if (result instanceof WerSniffError) {
      onSignal();
      failure = result;
    } else totals = result;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await recorder.close();
  }
  failure ??= outputs.failure();
  if (failure) throw failure;
  process.stderr.write(formatReplaySummary(totals!) + '\n');
  if (outputs.filtered) process.stderr.write(`wer-sniff: ${outputs.filtered.describe()}\n`);
  return totals!.failed > 0 ? 4 : 0;
}
