// The CAB worker thread (see cab-offload.ts): gets a cabinet's bytes (transferred, not shared)
// or the file it was spooled to,
// inflates and summarises it once, writes its files for --save-dir, and posts the result back.
// One job at a time; the thread that serves sockets never waits for it.
import { parentPort } from 'node:worker_threads';
import { inspectCab, inspectCabFile } from './cab-inspect.js';
import { lowerThisThreadPriority } from './thread-priority.js';
import { loadCharsets } from '../../domain/body/charset.js';


/** A cabinet transferred whole, or the file it was spooled to. */
export type CabJobRequest = { id: number; extractDir?: string } & ({ bytes: ArrayBuffer } | { file: string });
export type CabJobReply = { id: number; ok: true; result: ReturnType<typeof inspectCab> } | { id: number; ok: false; message: string; code?: string };
/** Posted once, when the thread has loaded all its code (the imports above) and takes jobs. */
export interface CabWorkerReady { ready: true }

// Inflating behind the socket thread, not beside it (thread-priority.ts).
if (parentPort) lowerThisThreadPriority();

parentPort?.on('message', (m: CabJobRequest) => {
  let reply: CabJobReply;
  try {
    const opts = m.extractDir ? { extractDir: m.extractDir } : {};
    reply = { id: m.id, ok: true, result: 'file' in m ? inspectCabFile(m.file, opts) : inspectCab(Buffer.from(m.bytes), opts) };
  } catch (e) {
    // The errno code (EMFILE, ENOSPC) goes back too: --save-dir tells a report cut short by
    // the system from a CAB that could not be read.
    const code = (e as NodeJS.ErrnoException).code;
    reply = { id: m.id, ok: false, message: (e as Error).message, ...(code ? { code } : {}) };
  }
  parentPort!.postMessage(reply);
});
// Every module this thread needs is loaded by now (iconv-lite's tables on first use: now),
// so from here on it opens only the files of its jobs (and waits out a full descriptor table
// for those).
loadCharsets();
parentPort?.postMessage({ ready: true } satisfies CabWorkerReady);
