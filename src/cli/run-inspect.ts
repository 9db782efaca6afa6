// `wer-sniff inspect <inputs…>`: everything decode reads (raw captures, .http files, pcap and
// pcapng), plus --save-dir report folders, loaded into the web inspector, which serves until
// Ctrl-C. A report folder goes in as its level1.http and response.txt, framed like any capture;
// its report.cab is then shown as that report's CAB.
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../pipeline/recorder.js';
import { decodeInputs, openInputs, type DecodeInput } from '../sources/files/decode-file.js';
import { reportFolders, reportFolderStream } from '../sources/files/load-conversations.js';
import { escapeControl } from '../util/escape.js';
import { tcpFilterOf } from './options.js';
import { checkWebFlags, startWeb, serveWebUntilStopped, type WebFlags } from './web-wiring.js';
import { WerSniffError } from '../errors.js';
import { append } from '../util/append.js';

export interface InspectFlags extends WebFlags {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

export async function runInspect(files: string[], flags: InspectFlags): Promise<number> {
  checkWebFlags(flags);
  const inputs: DecodeInput[] = [];
  const savedCabs = new Map<string, string>();
  for (const f of files.length ? files : ['-']) {
    let dir = false;
    try {
      dir = f !== '-' && fs.statSync(f).isDirectory();
    } catch {
      // openInputs says what is wrong with it
    }
    if (!dir) {
      append(inputs, openInputs([f]));
      continue;
    }
    for (const folder of reportFolders(f)) {
      inputs.push({ name: folder, stream: reportFolderStream(folder) });
      const cab = path.join(folder, 'report.cab');
      if (fs.existsSync(cab)) savedCabs.set(folder, cab);
    }
  }
  const web = await startWeb(flags);
  if (!web) throw new WerSniffError('bad-flags', 'inspect needs --web', 2);
  const recorder = new Recorder({ sinks: web.sinks, maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  let notices = 0;
  try {
    notices = await decodeInputs(inputs, recorder, {
      filter: tcpFilterOf(flags),
      onNotice: (m: string) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`),
    });
  } catch (err) {
    await recorder.close();
    await web.close();
    throw err;
  }
  await recorder.close();
  for (const [folder, cab] of savedCabs) web.history.attachSavedCab(folder, cab);
  await serveWebUntilStopped(web);
  return recorder.totals.problems > 0 || notices > 0 ? 3 : 0;
}
