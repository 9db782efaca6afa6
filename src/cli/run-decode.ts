// The `decode` action: saved captures through the live pipeline to the chosen output.
import { Recorder } from '../capture/recorder.js';
import { decodeInputs, openInputs } from '../capture/decode-file.js';
import { createOutputs, type OutputFlags } from './outputs.js';

export interface DecodeFlags extends OutputFlags {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

export async function runDecode(files: string[], flags: DecodeFlags): Promise<number> {
  const inputs = openInputs(files);
  const outputs = await createOutputs({ ...flags, raw: false, output: undefined }, false);
  const recorder = new Recorder({ sinks: outputs.sinks, maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  let failure;
  try {
    // A failing output file (--pcap, --har) ends the run like it does live.
    failure = await Promise.race([decodeInputs(inputs, recorder).then(() => undefined), outputs.fileError]);
  } finally {
    await recorder.close();
  }
  failure ??= outputs.failure();
  if (outputs.filtered && !failure) process.stderr.write(`wer-sniff: ${outputs.filtered.describe()}\n`);
  if (failure) {
    for (const input of inputs) input.stream.destroy();
    throw failure;
  }
  return recorder.totals.problems > 0 ? 3 : 0;
}
