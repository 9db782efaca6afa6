// Runs the built CLI without blocking the event loop (spawnSync would stall a listener child
// whose stdout pipe the test reads), e.g. `simulate` against a `listen` started with startCli.
import { spawn } from 'node:child_process';
import { BIN } from './paths.js';
import { ndjson } from './ndjson.js';

/** Runs `wer-sniff <args>` with `input` on stdin (and `env` over this process's environment);
 * resolves when it has exited, with its output and how long it ran. */
export function runCliAsync(args: string[], input?: Buffer | string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    child.stdin.on('error', () => {}); // it may exit before reading all of it
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** Complete pcap records of `buf` and how many bytes a cut last record leaves over. */
export function pcapRecords(buf: Buffer): { records: Buffer[]; rest: number } {
  const records: Buffer[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off + 8);
    if (off + 16 + len > buf.length) break;
    records.push(buf.subarray(off + 16, off + 16 + len));
    off += 16 + len;
  }
  return { records, rest: buf.length - off };
}

/** NDJSON lines of a run's stdout (the shared parser, helpers/ndjson.ts). */
export function events(out: string): { type: string; [k: string]: unknown }[] {
  return ndjson(out);
}
