// `--web [addr:]port` for listen, relay, decode and inspect (flags in web-flags.ts): one call that starts
// the inspector (history, session files, HTTP server) and gives the sinks to add to the run's
// Recorder. Kept apart from outputs.ts: the inspector is one more end of the pipeline, not a
// view of stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sink } from '../model.js';
import { WerSniffError, inWords } from '../errors.js';
import { CabWorker, cabWorkerAvailable, inspectHere } from '../pipeline/workers/cab-offload.js';
import { WebHistory, DEFAULT_WEB_HISTORY } from '../web/history.js';
import type { WebFlags } from './web-flags.js';

export type { WebFlags } from './web-flags.js';
import { ExactBytes } from '../web/exact-bytes.js';
import { SessionFiles } from '../web/session-files.js';
import { WebSink, WebTap } from '../web/web-sink.js';
import { ExtractedCabs } from '../web/cab-files.js';
import { startWebServer, type WebServer } from '../web/server.js';
import { isLoopback } from '../web/access.js';
import { VERSION } from './program.js';
import { waitForStop } from './lifecycle.js';

export interface WebRun {
  /** Add these to the Recorder's sinks. */
  sinks: Sink[];
  history: WebHistory;
  server: WebServer;
  /** The input ended (decode): the session files are closed like --har/-w close theirs. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** Refuses --web flags that cannot go together (exit 2), before anything is opened. */
export function checkWebFlags(flags: WebFlags): void {
  if (!flags.web) return;
  if (flags.redact) throw new WerSniffError('bad-flags', '--redact does not reach the web inspector: it shows the exact traffic — drop --redact or --web', 2);
  if (!isLoopback(flags.web.host) && !flags.webBindPublic) {
    throw new WerSniffError('bad-flags', `--web ${flags.web.host} is not a loopback address: anyone who reaches it could try the inspector — add --web-bind-public if you mean it, or use 127.0.0.1`, 2);
  }
}

/** Starts the inspector when `--web` was given; prints its one line on stderr. */
export async function startWeb(flags: WebFlags, stderr: NodeJS.WritableStream = process.stderr): Promise<WebRun | undefined> {
  if (!flags.web) return undefined;
  checkWebFlags(flags);
  const { host, port } = flags.web;
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-web-'));
  } catch (err) {
    throw new WerSniffError('web-temp', `cannot make a temporary folder for the web inspector: ${inWords(err)} — check TMPDIR`);
  }
  const history = new WebHistory(flags.webHistory ?? DEFAULT_WEB_HISTORY);
  const exact = new ExactBytes();
  const session = new SessionFiles(dir, VERSION);
  const worker = cabWorkerAvailable() ? new CabWorker() : undefined;
  const inspect = worker ? worker.inspect : inspectHere;
  let server: WebServer;
  try {
    server = await startWebServer({ host, port, history, session, extracted: new ExtractedCabs(dir, inspect) });
  } catch (err) {
    await session.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? 'pick another port (--web :0 picks a free one)' : 'check the address';
    throw new WerSniffError('web-listen', `cannot serve the web inspector on ${host}:${port}: ${inWords(err)} — ${hint}`);
  }
  if (!isLoopback(host)) stderr.write(`wer-sniff: warning: the web inspector listens on ${host}, not only on this machine: anyone who reaches it and has the token sees every report\n`);
  stderr.write(`web inspector: ${server.url}\n`);
  return {
    sinks: [new WebSink(history, exact), new WebTap(exact, session)],
    history,
    server,
    finish: () => session.finish(),
    async close() {
      await server.close();
      await session.close();
      await worker?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Offline runs (decode, inspect): the input is read; the inspector serves on until Ctrl-C. */
export async function serveWebUntilStopped(web: WebRun, stderr: NodeJS.WritableStream = process.stderr): Promise<void> {
  try {
    await web.finish();
    const stopped = waitForStop(new Promise(() => {}), new Promise(() => {}));
    stderr.write(`wer-sniff: ${web.history.size} exchange${web.history.size === 1 ? '' : 's'} loaded; the web inspector serves until Ctrl-C\n`);
    await stopped;
  } finally {
    await web.close();
  }
}
