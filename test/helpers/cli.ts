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
    const timer = setTimeout(() => reject(new Error(`no "listening on" line; stderr: ${err}`)), 10_000);
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

/** `startCli` for one test file: every process it started that still runs is ended (SIGTERM)
 * after each test. Call once at the top of the file. */
export function cliStarter(): (args: string[], env?: NodeJS.ProcessEnv) => Promise<RunningCli> {
  const running: RunningCli[] = [];
  afterEach(() => {
    for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGTERM');
  });
  return async (args, env) => {
    const r = await startCli(args, env);
    running.push(r);
    return r;
  };
}
