// The CAB worker thread (see cab-offload.ts): gets a cabinet's bytes (transferred, not shared)
// or the file it was spooled to,
// inflates and summarises it once, writes its files for --save-dir, and posts the result back.
// One job at a time; the thread that serves sockets never waits for it.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { inspectCab, inspectCabFile } from './cab-inspect.js';
import { lowerThisThreadPriority } from './thread-priority.js';

/** A young-generation collection, when V8 lets us ask for one. Each inflated MSZIP block is a
 * fresh buffer from zlib; V8 frees dead buffers only once some 64 MB of them piled up (its
 * external-memory trigger), so a 60 MB dump's extraction held ~50 MB of dead blocks at its
 * peak. Collected every few MiB of output (cab-inspect.ts), they go as they come. */
function youngCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (opts: { type: 'minor' | 'major' }) => void;
    return () => gc({ type: 'minor' });
  } catch {
    return undefined;
  }
}
const collect = parentPort ? youngCollector() : undefined;

/** A cabinet transferred whole, or the file it was spooled to. */
export type CabJobRequest = { id: number; extractDir?: string } & ({ bytes: ArrayBuffer } | { file: string });
export type CabJobReply = { id: number; ok: true; result: ReturnType<typeof inspectCab> } | { id: number; ok: false; message: string };

// Inflating behind the socket thread, not beside it (thread-priority.ts).
if (parentPort) lowerThisThreadPriority();

parentPort?.on('message', (m: CabJobRequest) => {
  let reply: CabJobReply;
  try {
    const opts = { ...(m.extractDir ? { extractDir: m.extractDir } : {}), collect };
    reply = { id: m.id, ok: true, result: 'file' in m ? inspectCabFile(m.file, opts) : inspectCab(Buffer.from(m.bytes), opts) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
