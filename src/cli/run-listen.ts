// The `listen` action: flags → outputs, CER server, listener; then wait for SIGINT/SIGTERM,
// `--once`, or a failing capture file, flush everything and print the summary line.
import fs from 'node:fs';
import { Recorder } from '../capture/recorder.js';
import { startListener } from '../capture/listener.js';
import { CerServer, type RespondMode } from '../wer/cer-server.js';
import { WerSniffError, describeListenError } from '../errors.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { countingSink, formatSummary, waitForStop } from './lifecycle.js';

export interface ListenFlags extends OutputFlags {
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
  cab: boolean;
  responseFile?: string;
}

export async function runListen(flags: ListenFlags): Promise<number> {
  let responseBody: Buffer | undefined;
  if (flags.responseFile) {
    try {
      responseBody = fs.readFileSync(flags.responseFile);
    } catch (err) {
      throw new WerSniffError('response-file', `cannot read --response-file ${flags.responseFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const outputs = await createOutputs(flags, true);
  const counter = countingSink();
  const recorder = new Recorder({ sinks: [...outputs.sinks, counter], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  const server = new CerServer({
    mode: flags.respond,
    responseBody,
    answer: { bucket: flags.bucket, bucketTable: flags.bucketTable, ask: flags.ask, responseUrl: flags.responseUrl, noCab: !flags.cab },
  });
  let handle;
  try {
    handle = await startListener({ port: flags.port, bind: flags.bind, recorder, server, once: flags.once });
  } catch (err) {
    await recorder.close();
    throw describeListenError(err as NodeJS.ErrnoException, flags.bind, flags.port);
  }
  const shown = handle.address.includes(':') ? `[${handle.address}]` : handle.address;
  process.stderr.write(`listening on ${shown}:${handle.port}\n`);

  const failure = await waitForStop(handle.done, outputs.fileError);
  await handle.close();
  await recorder.close();
  process.stderr.write(formatSummary(recorder.totals, counter.reports) + '\n');
  if (failure) throw failure;
  return 0;
}
