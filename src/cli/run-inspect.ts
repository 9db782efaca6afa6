// `wer-sniff inspect <inputs…>`: everything decode reads (raw captures, .http files, pcap and
// pcapng, HAR, --save-dir report folders and roots), loaded into the web inspector, which serves
// until Ctrl-C.
import { Recorder } from '../pipeline/recorder.js';
import { feedInputs, openInputs } from '../sources/files/open-inputs.js';
import { recorderTarget } from '../sources/files/chunk-target.js';
import { escapeControl } from '../util/escape.js';
import { tcpFilterOf } from './options.js';
import { checkWebFlags, startWeb, serveWebUntilStopped, type WebFlags } from './web-wiring.js';
import { WerSniffError } from '../errors.js';

export interface InspectFlags extends WebFlags {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

export async function runInspect(files: string[], flags: InspectFlags): Promise<number> {
  checkWebFlags(flags);
  // The same input layer as decode: a report folder reopens as its whole conversation (the
  // level-1 report, its answer, the PUT with report.cab), so its CAB is a CAB like any other.
  const inputs = openInputs(files);
  const web = await startWeb(flags);
  if (!web) throw new WerSniffError('bad-flags', 'inspect needs --web', 2);
  const recorder = new Recorder({ sinks: web.sinks, check: true, maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes, wholeBodies: true });
  let notices = 0;
  try {
    notices = await feedInputs(inputs, recorderTarget(recorder), {
      filter: tcpFilterOf(flags),
      onNotice: (m: string) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
    });
  } catch (err) {
    await recorder.close();
    await web.close();
    throw err;
  }
  await recorder.close();
  await serveWebUntilStopped(web);
  return recorder.totals.problems > 0 || notices > 0 ? 3 : 0;
}
