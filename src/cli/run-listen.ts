// The `listen` action: flags → outputs, CER server, listener; then wait for SIGINT/SIGTERM,
// `--once`, or a failing capture file, flush everything and print the summary line.
import fs from 'node:fs';
import { Recorder } from '../pipeline/recorder.js';
import { startListener } from '../sources/net/listener.js';
import { CerServer, type RespondMode } from '../domain/server/cer-server.js';
import { WerSniffError, describeListenError, inWords } from '../errors.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { countingSink, readyForClients, reportRefusal, serveUntilStopped } from './lifecycle.js';
import { resolveServerFlags, type ServerFlags } from './server-flags.js';
import { RefusalLog } from './refusal-log.js';
import type { ReportStore } from '../sinks/save-dir/report-store.js';
import { openSaveDir } from './save-dir-setup.js';
import { liveCabJobs, stopCabWorker } from '../pipeline/workers/cab-offload.js';
import { ProgressLine, clearingWrites } from '../sinks/progress.js';
import { fleetStats, savedFolder } from './fleet-wiring.js';
import type { BodyObserver, Sink } from '../model.js';
import { startWeb, type WebFlags } from './web-wiring.js';

export interface ListenFlags extends OutputFlags, ServerFlags, WebFlags {
  port: number;
  bind: string;
  once?: boolean;
  respond: RespondMode;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  bucket?: number;
  bucketTable?: number;
  ask: string[];
  responseUrl?: string;
  dumpServer?: string;
  cab: boolean;
  responseFile?: string;
  saveDir?: string;
  stats?: number;
}

export async function runListen(flags: ListenFlags): Promise<number> {
  let responseBody: Buffer | undefined;
  if (flags.responseFile) {
    try {
      responseBody = fs.readFileSync(flags.responseFile);
    } catch (err) {
      throw new WerSniffError('response-file', `cannot read --response-file ${flags.responseFile}: ${inWords(err)}`);
    }
  }
  const setup = resolveServerFlags(flags);
  const refusals = new RefusalLog((line) => process.stderr.write(line + '\n'));
  // With -w - the human view is on stderr: no progress line to fight with it.
  const progress = process.stderr.isTTY && (flags.write ?? flags.pcap) !== '-' ? new ProgressLine(process.stderr) : undefined;
  // The view on the same terminal clears the progress line before each write.
  const stdout = progress && process.stdout.isTTY ? clearingWrites(process.stdout, () => progress.aside(() => {})) : process.stdout;
  let store: ReportStore | undefined;
  const outputs = await createOutputs(flags, true, stdout, { savedIn: (ex) => savedFolder(store, ex), savedPath: (ex) => store?.savedPathOf(ex) });
  const counter = countingSink();
  const stats = fleetStats(flags, outputs, progress);
  const extras: (Sink & BodyObserver)[] = [];
  store = await openSaveDir(flags.saveDir, outputs.names);
  if (store) extras.push(store);
  if (progress) extras.push(progress);
  const web = await startWeb(flags);
  const recorder = new Recorder({
    sinks: [...outputs.sinks, ...extras, counter, stats.counter, ...(web?.sinks ?? [])], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes,
    checkBodies: outputs.decoded || Boolean(flags.saveDir) || Boolean(web),
    check: outputs.checks || Boolean(web),
    cabs: liveCabJobs(flags),
    wholeBodies: Boolean(flags.includeBodies) || Boolean(web),
    socketThread: true,
    observers: extras,
  });
  const server = new CerServer({
    mode: flags.respond,
    responseBody,
    answer: { bucket: flags.bucket, bucketTable: flags.bucketTable, ask: flags.ask, responseUrl: flags.responseUrl, dumpServer: flags.dumpServer, noCab: !flags.cab },
  });
  await readyForClients();
  let handle;
  try {
    handle = await startListener({
      port: flags.port, bind: flags.bind, recorder, server, once: flags.once, gate: setup.gate,
      onRefused: (r) => reportRefusal(recorder, r, refusals),
      onNotice: (m) => process.stderr.write(`wer-sniff: ${m}\n`),
    });
  } catch (err) {
    await recorder.close();
    await web?.close();
    await stopCabWorker();
    throw describeListenError(err as NodeJS.ErrnoException, flags.bind, flags.port);
  }
  for (const line of setup.lines) process.stderr.write(`wer-sniff: ${line}\n`);
  const running = handle;
  const stoppable = { ...running, close: async () => { await running.close(); refusals.flush(); } };
  const saved = store && { get lost() { return store.lost; }, dir: flags.saveDir! };
  try {
    return await serveUntilStopped(stoppable, setup.gate.tls ? ' (TLS)' : '', recorder, outputs, () => counter.reports, saved, stats);
  } finally {
    await web?.close();
    await stopCabWorker();
  }
}
