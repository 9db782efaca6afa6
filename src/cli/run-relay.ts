// The `relay` action: flags → outputs and the recording relay (sources/net/relay-recorder.ts),
// whose tap feeds the same Recorder, framers, decoders and outputs as `listen`.
import { liveCabJobs, stopCabWorker } from '../pipeline/workers/cab-offload.js';
import { Recorder } from '../pipeline/recorder.js';
import { startRecordingRelay } from '../sources/net/relay-recorder.js';
import { describeListenError, inWords } from '../errors.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { countingSink, readyForClients, reportRefusal, serveUntilStopped } from './lifecycle.js';
import { resolveServerFlags, type ServerFlags } from './server-flags.js';
import { RefusalLog } from './refusal-log.js';
import { formatAddress } from '../util/address.js';
import { WerSniffError } from '../errors.js';
import fs from 'node:fs';
import { fleetStats, savedFolder } from './fleet-wiring.js';
import { openSaveDir } from './save-dir-setup.js';
import type { ReportStore } from '../sinks/save-dir/report-store.js';
import { probeUpstream } from '../sources/net/probe.js';
import { startWeb, type WebFlags } from './web-wiring.js';

export interface RelayFlags extends OutputFlags, ServerFlags, WebFlags {
  to: { host: string; port: number };
  port: number;
  bind: string;
  connectTimeout: number;
  onUpstreamError: 'close' | '502';
  maxHeaderBytes: number;
  maxBodyBytes: number;
  upstreamTls?: boolean;
  insecure?: boolean;
  upstreamCa?: string;
  stats?: number;
}

export async function runRelay(flags: RelayFlags): Promise<number> {
  const setup = resolveServerFlags(flags);
  const refusals = new RefusalLog((line) => process.stderr.write(line + '\n'));
  const upstreamTls = resolveUpstreamTls(flags);
  let store: ReportStore | undefined;
  const outputs = await createOutputs(flags, true, process.stdout, { savedIn: (ex) => savedFolder(store, ex) });
  store = await openSaveDir(flags.saveDir, outputs.names);
  const counter = countingSink();
  const stats = fleetStats(flags, outputs);
  const web = await startWeb(flags);
  const recorder = new Recorder({
    sinks: [...outputs.sinks, ...(store ? [store] : []), counter, stats.counter, ...(web?.sinks ?? [])], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes,
    checkBodies: outputs.decoded || Boolean(store) || Boolean(web), check: outputs.checks || Boolean(web), cabs: liveCabJobs(flags), observers: store ? [store] : [], socketThread: true,
    wholeBodies: Boolean(flags.includeBodies) || Boolean(web),
  });
  const upstream = formatAddress(flags.to.host, flags.to.port);

  await readyForClients();
  let handle;
  try {
    handle = await startRecordingRelay({
      recorder,
      port: flags.port,
      bind: flags.bind,
      to: flags.to,
      connectTimeoutMs: flags.connectTimeout,
      onUpstreamError: flags.onUpstreamError,
      gate: setup.spec,
      upstreamTls,
      onRefused: (r) => reportRefusal(recorder, r, refusals),
      onNotice(message) {
        process.stderr.write(`wer-sniff: ${outputs.names ? outputs.names.redact(message) : message}\n`);
      },
    });
  } catch (err) {
    await recorder.close();
    await web?.close();
    await stopCabWorker();
    throw describeListenError(err as NodeJS.ErrnoException, flags.bind, flags.port);
  }
  for (const line of setup.lines) process.stderr.write(`wer-sniff: ${line}\n`);
  // Say at once when the upstream cannot be reached; the relay listens anyway.
  void probeUpstream(flags.to.host, flags.to.port, flags.connectTimeout).then((why) => {
    if (!why) return;
    const clients = flags.onUpstreamError === '502' ? 'answered 502' : 'closed';
    process.stderr.write(`wer-sniff: upstream ${upstream} cannot be reached now (${why}); listening anyway — clients are ${clients} until it is up; check --to\n`);
  });
  const running = handle;
  const stoppable = { ...running, close: async () => { await running.close(); refusals.flush(); } };
  // The relay thread dying is a bug; it stops the run like a failed output does, in one line.
  const threadFailed = running.failed?.then((err) => new WerSniffError('relay-failed', `the relay thread failed (${err.message}) — nothing is forwarded any more; please report this`));
  const stopsOn = threadFailed ? { fileError: Promise.race([outputs.fileError, threadFailed]), failure: () => outputs.failure(), filtered: outputs.filtered } : outputs;
  const what = `${setup.gate.tls ? ' (TLS)' : ''}, relaying to ${upstream}${upstreamTls ? ` over TLS${upstreamTls.insecure ? ' (certificate not checked: --insecure)' : ''}` : ''}`;
  try {
    const saved = store && { get lost() { return store.lost; }, dir: flags.saveDir! };
    return await serveUntilStopped(stoppable, what, recorder, stopsOn, () => counter.reports, saved, stats);
  } finally {
    await web?.close();
    await stopCabWorker();
  }
}

function resolveUpstreamTls(flags: RelayFlags): { insecure: boolean; ca?: string } | undefined {
  if (!flags.upstreamTls) {
    if (flags.insecure || flags.upstreamCa) throw new WerSniffError('bad-flags', `${flags.insecure ? '--insecure' : '--upstream-ca'} applies to --upstream-tls only — add it, or drop the flag`, 2);
    return undefined;
  }
  let ca: string | undefined;
  if (flags.upstreamCa) {
    try {
      ca = fs.readFileSync(flags.upstreamCa, 'utf8');
    } catch (err) {
      throw new WerSniffError('bad-flags', `cannot read --upstream-ca ${flags.upstreamCa}: ${inWords(err)} — check the path`, 2);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new WerSniffError('bad-flags', `--upstream-ca ${flags.upstreamCa} holds no PEM certificate`, 2);
  }
  return { insecure: Boolean(flags.insecure), ca };
}
