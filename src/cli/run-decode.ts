// The `decode` action: saved inputs (raw, pcap/pcapng, HAR, --save-dir folders) through the live
// pipeline to the chosen output.
import { tcpFilterOf } from './options.js';
import { Recorder } from '../pipeline/recorder.js';
import { feedInputs, hasTimedInput, openInputs } from '../sources/files/open-inputs.js';
import { recorderTarget } from '../sources/files/chunk-target.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { escapeControl } from '../util/escape.js';
import { startWeb, serveWebUntilStopped, type WebFlags } from './web-wiring.js';
import { openSaveDir, saveDirLost } from './save-dir-setup.js';
import { savedFolder } from './fleet-wiring.js';
import { sharedCabJobs, stopCabWorker } from '../pipeline/workers/cab-offload.js';
import type { ReportStore } from '../sinks/save-dir/report-store.js';

export interface DecodeFlags extends OutputFlags, WebFlags {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

export async function runDecode(files: string[], flags: DecodeFlags): Promise<number> {
  const inputs = openInputs(files);
  let store: ReportStore | undefined;
  const outputs = await createOutputs({ ...flags, raw: false, output: undefined }, hasTimedInput(inputs), process.stdout, { savedIn: (ex) => savedFolder(store, ex) });
  store = await openSaveDir(flags.saveDir, outputs.names);
  const web = await startWeb(flags);
  const recorder = new Recorder({
    sinks: [...outputs.sinks, ...(store ? [store] : []), ...(web?.sinks ?? [])], observers: store ? [store] : [],
    check: outputs.checks || Boolean(web),
    // With --save-dir each CAB is inflated once, on the CAB worker, for both its cab/ and the view.
    cabs: store ? sharedCabJobs() : undefined,
    maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes,
    wholeBodies: Boolean(flags.includeBodies) || Boolean(web),
  });
  let failure;
  let notices = 0;
  const feedOpts = {
    filter: tcpFilterOf(flags),
    onNotice: (m: string) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
  };
  try {
    // A failing output file (-w, --har) ends the run like it does live.
    failure = await Promise.race([feedInputs(inputs, recorderTarget(recorder), feedOpts).then((n) => void (notices = n)), outputs.fileError]);
  } finally {
    await recorder.close();
    if (failure) await web?.close();
    if (store) await stopCabWorker();
  }
  failure ??= outputs.failure() ?? (store?.lost ? saveDirLost(store.lost, flags.saveDir!) : undefined);
  if (outputs.filtered && !failure) process.stderr.write(`wer-sniff: ${outputs.filtered.describe()}\n`);
  if (failure) {
    if (inputs.some((i) => i.kind === 'stdin')) process.stdin.destroy();
    throw failure;
  }
  if (web) await serveWebUntilStopped(web);
  return recorder.totals.problems > 0 || notices > 0 ? 3 : 0;
}
