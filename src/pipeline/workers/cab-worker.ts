// The CAB worker thread (see cab-offload.ts): gets a cabinet's bytes (transferred, not shared),
// inflates and summarises it once, writes its files for --save-dir, and posts the result back.
// One job at a time; the thread that serves sockets never waits for it.
import { parentPort } from 'node:worker_threads';
import { inspectCab } from './cab-inspect.js';

export interface CabJobRequest { id: number; bytes: ArrayBuffer; extractDir?: string }
export type CabJobReply = { id: number; ok: true; result: ReturnType<typeof inspectCab> } | { id: number; ok: false; message: string };

parentPort?.on('message', (m: CabJobRequest) => {
  let reply: CabJobReply;
  try {
    reply = { id: m.id, ok: true, result: inspectCab(Buffer.from(m.bytes), m.extractDir ? { extractDir: m.extractDir } : {}) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
