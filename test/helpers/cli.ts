// Runs the built CLI (bin/wer-sniff.js) as a child process, the way users do.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach } from 'vitest';
import { BIN } from './paths.js';
import { peer } from './peers.js';

/** The parent's environment without colour variables, plus `extra`. */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stdout(): Buffer;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts a long-running command and waits for its `listening on <addr>:<port>` line. */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env) });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    // 25 s, inside the 30 s test timeout so this message (with stderr) is what fails: with two
    // dozen runnable processes on the shared 2-core machine, node took 10 s of wall time to
    // print --version (0.4 s of CPU), and 10 s here failed listeners that were merely slow.
    const timer = setTimeout(() => reject(new Error(`no "listening on" line; stderr: ${err}`)), 25_000);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (?:\[[^\]]*\]|[^\s:]+):(\d+)(?=[\s,])/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening; stderr: ${err}`));
    });
  });
  return { child, port, stdout: () => Buffer.concat(out), stderr: () => err, exited };
}

export function runCli(args: string[], input?: Buffer | string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, env: childEnv(env), maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Whether the tests that need the real peer `cmd` (curl, socat, cabextract, tshark, python3, …)
 * should run: see peers.ts — under CI a required peer always runs (and fails when missing). */
export function hasCommand(cmd: string, _versionArg?: string): boolean {
  return peer(cmd);
}

/** Ends a started process that still runs: SIGTERM, SIGKILL if it is not gone in 5 s; resolves
 * once it has exited (so what it cleans up on the way out is gone before the next test). */
export async function endCli(r: RunningCli): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const hard = setTimeout(() => r.child.kill('SIGKILL'), 5_000);
  await r.exited;
  clearTimeout(hard);
}

/** `startCli` for one test file: every process it started that still runs is ended (endCli)
 * after each test, passed or failed. Call once at the top of the file. */
export function cliStarter(): (args: string[], env?: NodeJS.ProcessEnv) => Promise<RunningCli> {
  const running: RunningCli[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map(endCli));
  });
  return async (args, env) => {
    const r = await startCli(args, env);
    running.push(r);
    return r;
  };
}
