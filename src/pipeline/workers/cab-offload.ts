// Level-2 uploads are inflated and summarised off the thread that serves sockets. A 32 MB CAB
// holding a 60 MB dump took that thread seconds (and a bomb ~11 s), stalling every other
// client. Here CabJobs starts one job per uploaded CAB (keyed by its request, so the view,
// --json and --save-dir share one inflation) on a worker thread (cab-worker.ts) that gets the
// bytes transferred, one job at a time; the recorder holds that connection's events until the
// summary is back (recorder.ts), other connections go on.
//
// The worker needs the compiled cab-worker.js beside this file; where there is none (the
// TypeScript sources run by vitest) or it cannot start, jobs run on this thread, one per tick.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Exchange, Request } from '../../model.js';
import { isCab } from '../../domain/cab/cab-view.js';
import { parseCab, type Cab } from '../../domain/cab/cab.js';
import { rememberCabView } from '../../domain/body/message.js';
import { inspectCab, type CabInspection } from './cab-inspect.js';
import type { CabJobReply, CabJobRequest } from './cab-worker.js';

const WORKER_URL = new URL('./cab-worker.js', import.meta.url);

/** Whether CAB jobs get a thread of their own (false when running from sources). */
export const cabWorkerAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL));

export type Inspect = (bytes: Buffer, extractDir?: string) => Promise<CabInspection>;

/** Bytes copied per tick when handing a CAB to the worker. */
const COPY_SLICE = 1024 * 1024;

interface Job { bytes: Buffer; extractDir?: string; resolve(r: CabInspection): void; reject(e: Error): void; tries?: number }

/** A job whose worker failed under it (e.g. it could not start: out of file descriptors in a
 * burst) is tried again on a fresh worker this many times, after a pause. */
const RETRIES = 6;
const RETRY_PAUSE_MS = 250;

/** One worker thread, one job at a time. Jobs waiting hold a reference to the body they
 * inspect, not a copy: the copy is made (and transferred) when the job is sent. */
export class CabWorker {
  private worker?: Worker;
  private current?: Job;
  private readonly queue: Job[] = [];
  private nextId = 1;

  inspect: Inspect = (bytes, extractDir) => new Promise<CabInspection>((resolve, reject) => {
    this.queue.push({ bytes, extractDir, resolve, reject });
    this.pump();
  });

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const job = (this.current = this.queue.shift()!);
    // The copy is made COPY_SLICE bytes per tick: copying 32 MB at once held this thread for
    // 300-450 ms on a loaded 2-core machine (fresh memory is slow to touch).
    const copy = new ArrayBuffer(job.bytes.length);
    const into = new Uint8Array(copy);
    let done = 0;
    const step = (): void => {
      const end = Math.min(done + COPY_SLICE, job.bytes.length);
      into.set(job.bytes.subarray(done, end), done);
      done = end;
      if (done < job.bytes.length) return void setImmediate(step);
      try {
        const w = this.worker ?? this.start();
        w.ref(); // a job in flight keeps the process alive until its answer
        const msg: CabJobRequest = { id: this.nextId++, bytes: copy, ...(job.extractDir ? { extractDir: job.extractDir } : {}) };
        w.postMessage(msg, [copy]);
      } catch (e) {
        this.current = undefined;
        job.reject(e as Error);
        this.pump();
      }
    };
    step();
  }

  private start(): Worker {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (m: CabJobReply) => {
      const job = this.current;
      this.current = undefined;
      w.unref();
      if (m.ok) job?.resolve(reviveBuffers(m.result));
      else job?.reject(new Error(m.message));
      this.pump();
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const job = this.current;
      this.current = undefined;
      if (job && (job.tries ?? 0) < RETRIES) {
        job.tries = (job.tries ?? 0) + 1;
        this.queue.unshift(job);
        setTimeout(() => this.pump(), RETRY_PAUSE_MS * job.tries).unref();
        return;
      }
      job?.reject(new Error(why));
      this.pump();
    };
    w.on('error', (e) => lost(`the CAB worker failed: ${e.message}`));
    w.on('exit', (code) => lost(`the CAB worker exited (${code})`));
    return (this.worker = w);
  }

  /** Starts the thread now (listen, relay): the first CAB does not wait for it, and a run's
   * descriptors and memory are those of its steady state from the start. */
  warm(): void {
    if (!this.worker) this.start();
  }

  /** Stops the thread (jobs in flight are rejected). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** Buffers cross threads as Uint8Arrays; the view's `reserve` fields are Buffers again after. */
function reviveBuffers(r: CabInspection): CabInspection {
  const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const cab: Cab = r.view.cab;
  if (cab.header) cab.header.reserve = buf(cab.header.reserve);
  for (const f of cab.folders) f.reserve = buf(f.reserve);
  return r;
}

/** Runs on this thread, one job per tick: for sources under vitest, or without a worker. */
export const inspectHere: Inspect = (bytes, extractDir) => new Promise((resolve, reject) => {
  setImmediate(() => {
    try {
      resolve(inspectCab(bytes, extractDir ? { extractDir } : {}));
    } catch (e) {
      reject(e as Error);
    }
  });
});

/** What an output shows when a job failed (the worker died): the listing, nothing extracted. */
function failed(bytes: Buffer, extractDir: string | undefined, e: Error): CabInspection {
  const cab = parseCab(bytes);
  const error = { code: 'summary-failed', message: `not summarised: ${e.message}` };
  return {
    view: { cab, entries: cab.files.map((f) => ({ name: f.name, size: f.size, kind: 'unreadable' as const, error, notes: [] })) },
    ...(extractDir ? { extracted: { written: [], errors: [{ name: '(cabinet)', ...error }], bytes: 0 } } : {}),
  };
}

/** One inspection per uploaded CAB, shared by every output that wants it. */
export class CabJobs {
  private readonly dirs = new WeakMap<Exchange, string>();
  private readonly jobs = new WeakMap<Request, Promise<CabInspection>>();

  constructor(private readonly run: Inspect) {}

  /** The CAB this exchange's request carries is to be extracted into `dir` (--save-dir).
   * Must be said before the request completes, as the one inflation starts then. */
  extractTo(ex: Exchange, dir: string): void {
    this.dirs.set(ex, dir);
  }

  /** The inspection of `ex`'s request body, started on first ask; undefined when the body is
   * not a complete CAB held in memory. Once it resolves, decodedOf has the view. */
  start(ex: Exchange): Promise<CabInspection> | undefined {
    const req = ex.request;
    const data = req?.body.data;
    if (!req || !req.body.complete || !data || !isCab(data)) return undefined;
    let job = this.jobs.get(req);
    if (!job) {
      const dir = this.dirs.get(ex);
      job = this.run(data, dir).catch((e: Error) => failed(data, dir, e)).then((r) => {
        rememberCabView(req, r.view);
        return r;
      });
      this.jobs.set(req, job);
    }
    return job;
  }
}

let shared: CabJobs | undefined;
let sharedWorker: CabWorker | undefined;

/** The process's CAB jobs: on the worker thread when it is built, else on this thread. A job
 * whose worker dies is not retried here (that would be this thread's turn to die): its CAB is
 * listed, not summarised. */
/** Starts the shared CAB worker thread ahead of the first CAB (when it is built). */
export function warmCabWorker(): void {
  sharedCabJobs();
  sharedWorker?.warm();
}

/** Ends the shared CAB worker thread (the run is over; jobs still in flight are rejected). */
export async function stopCabWorker(): Promise<void> {
  await sharedWorker?.close();
}

export function sharedCabJobs(): CabJobs {
  if (!shared) {
    if (cabWorkerAvailable()) sharedWorker = new CabWorker();
    const w = sharedWorker;
    shared = new CabJobs(w ? w.inspect : inspectHere);
  }
  return shared;
}
