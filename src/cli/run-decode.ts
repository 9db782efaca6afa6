// The `decode` action: saved inputs (raw, pcap/pcapng, HAR, --save-dir folders) through the live
// pipeline to the chosen output.
import { tcpFilterOf } from './options.js';
import { Recorder } from '../pipeline/recorder.js';
import { feedInputs, hasTimedInput, openInputs } from '../sources/files/open-inputs.js';
import { recorderTarget } from '../sources/files/chunk-target.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { escapeControl } from '../util/escape.js';

export interface DecodeFlags extends OutputFlags {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

export async function runDecode(files: string[], flags: DecodeFlags): Promise<number> {
  const inputs = openInputs(files);
  const outputs = await createOutputs({ ...flags, raw: false, output: undefined }, hasTimedInput(inputs));
  const recorder = new Recorder({ sinks: outputs.sinks, maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
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
  }
  failure ??= outputs.failure();
  if (outputs.filtered && !failure) process.stderr.write(`wer-sniff: ${outputs.filtered.describe()}\n`);
  if (failure) {
    if (inputs.some((i) => i.kind === 'stdin')) process.stdin.destroy();
    throw failure;
  }
  return recorder.totals.problems > 0 || notices > 0 ? 3 : 0;
}
