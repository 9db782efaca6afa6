// Level-2 uploads are inflated and summarised off the thread that serves sockets. A 32 MB CAB
// holding a 60 MB dump took that thread seconds (and a bomb ~11 s), stalling every other
// client. Here CabJobs starts one job per uploaded CAB (keyed by its request, so the view,
// --json and --save-dir share one inflation) on a worker thread (cab-worker.ts), one job at a
// time; the recorder holds that connection's events until the summary is back (recorder.ts),
// other connections go on. Live, each PUT's body is spooled to a temporary file as it arrives
// (cab-spool.ts) and kept in memory only up to `keepBytes`: the worker reads the file, so
// this thread never concatenates, hashes in one go, copies or transfers a big upload. A CAB
// held in memory (offline decode) is copied to the worker a slice per tick instead.
//
// The worker needs the compiled cab-worker.js beside this file; where there is none (the
// TypeScript sources run by vitest) or it cannot start, jobs run on this thread, one per tick.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Direction, Exchange, MessageHead, Request, RequestHead } from '../../model.js';
import { isCab } from '../../domain/cab/cab-view.js';
import type { Cab } from '../../domain/cab/cab.js';
import { parseCabSource } from '../../domain/cab/cab-source.js';
import { rememberCabView } from '../../domain/body/message.js';
import { inspectCab, inspectCabFile, type CabInspection } from './cab-inspect.js';
import { UploadSpool, discardAllSpools } from './cab-spool.js';
import type { CabJobReply, CabJobRequest, CabWorkerReady } from './cab-worker.js';
import { HELPER_THREAD_LIMITS } from './thread-limits.js';

const WORKER_URL = new URL('./cab-worker.js', import.meta.url);

/** Whether CAB jobs get a thread of their own (false when running from sources). */
export const cabWorkerAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL));

/** A cabinet in memory, or the file it was spooled to. */
export type CabInput = Buffer | { file: string };
export type Inspect = (input: CabInput, extractDir?: string) => Promise<CabInspection>;

/** Bytes copied per tick when handing a CAB to the worker. */
const COPY_SLICE = 1024 * 1024;

interface Job { input: CabInput; extractDir?: string; resolve(r: CabInspection): void; reject(e: Error): void; tries?: number }

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
  /** Settles once the current thread has loaded its code, or could not start. */
  private ready: Promise<void> = Promise.resolve();

  inspect: Inspect = (input, extractDir) => new Promise<CabInspection>((resolve, reject) => {
    this.queue.push({ input, extractDir, resolve, reject });
    this.pump();
  });

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const job = (this.current = this.queue.shift()!);
    const send = (what: { bytes: ArrayBuffer } | { file: string }): void => {
      try {
        const w = this.worker ?? this.start();
        w.ref(); // a job in flight keeps the process alive until its answer
        const msg: CabJobRequest = { id: this.nextId++, ...what, ...(job.extractDir ? { extractDir: job.extractDir } : {}) };
        w.postMessage(msg, 'bytes' in what ? [what.bytes] : []);
      } catch (e) {
        this.current = undefined;
        job.reject(e as Error);
        this.pump();
      }
    };
    const input = job.input;
    if (!Buffer.isBuffer(input)) return send(input);
    // The copy is made COPY_SLICE bytes per tick: copying 32 MB at once held this thread for
    // 300-450 ms on a loaded 2-core machine (fresh memory is slow to touch).
    const copy = new ArrayBuffer(input.length);
    const into = new Uint8Array(copy);
    let done = 0;
    const step = (): void => {
      const end = Math.min(done + COPY_SLICE, input.length);
      into.set(input.subarray(done, end), done);
      done = end;
      if (done < input.length) return void setImmediate(step);
      send({ bytes: copy });
    };
    step();
  }

  private start(): Worker {
    const w = new Worker(WORKER_URL, { resourceLimits: HELPER_THREAD_LIMITS });
    w.unref();
    let loaded!: () => void;
    this.ready = new Promise<void>((resolve) => (loaded = resolve));
    w.on('message', (m: CabJobReply | CabWorkerReady) => {
      if ('ready' in m) return loaded();
      const job = this.current;
      this.current = undefined;
      w.unref();
      if (m.ok) job?.resolve(reviveBuffers(m.result));
      else job?.reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
      this.pump();
    });
    const lost = (why: string) => {
      loaded();
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

  /** Starts the thread now (listen, relay) and settles once it has loaded its code (or could
   * not start: its jobs then try a fresh one). Awaited before the first client is accepted:
   * loading opens dozens of module files, and a burst of clients holding every descriptor
   * made that fail (EMFILE, or "Cannot find package" from the resolver) and every restart
   * after it, so the burst's CABs were never summarised nor extracted. Once loaded, the
   * thread opens only its jobs' files, and waits for a descriptor when none is free. */
  warm(): Promise<void> {
    try {
      if (!this.worker) this.start();
    } catch {
      // could not start (out of descriptors, memory): the first job tries a fresh thread
    }
    return this.ready;
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
export const inspectHere: Inspect = (input, extractDir) => new Promise((resolve, reject) => {
  setImmediate(() => {
    try {
      const opts = extractDir ? { extractDir } : {};
      resolve(Buffer.isBuffer(input) ? inspectCab(input, opts) : inspectCabFile(input.file, opts));
    } catch (e) {
      reject(e as Error);
    }
  });
});

/** The code of a job that failed without an errno code (its worker died, its spool failed). */
export const SUMMARY_FAILED = 'summary-failed';

/** What an output shows when a job failed (the worker died, or a file stayed out of reach):
 * the listing from `kept`, the cabinet's bytes in memory (all of it, or for a spooled upload
 * its first bytes: never the file, which this thread does not read), nothing extracted. The
 * failure's errno code, when it has one (EMFILE), stays on the entries so --save-dir counts
 * the report as not saved whole. Tolerant, like every CAB parse: it is a job's last resort. */
function failed(kept: Buffer, extractDir: string | undefined, e: Error): CabInspection {
  const cab = parseCabSource(kept);
  const error = { code: (e as NodeJS.ErrnoException).code ?? SUMMARY_FAILED, message: `not summarised: ${e.message}` };
  return {
    view: { cab, entries: cab.files.map((f) => ({ name: f.name, size: f.size, kind: 'unreadable' as const, error, notes: [] })) },
    ...(extractDir ? { extracted: { written: [], errors: [{ name: '(cabinet)', ...error }], bytes: 0 } } : {}),
  };
}

/** A spooled upload whose spool failed and whose body is not in memory: its listing comes from
 * the first bytes kept (failed()), with the reason. */
function unspooled(spool: UploadSpool): never {
  throw new Error(`the upload could not be spooled to disk (${spool.failure ?? 'removed'})`);
}

/** Bytes of a spooled upload also kept in memory (for -vvv, --json and HAR, which inline
 * bodies up to 1 MiB); --include-bodies raises it to --max-body-bytes. */
export const KEEP_SPOOLED_BYTES = 1024 * 1024;

/** One inspection per uploaded CAB, shared by every output that wants it. */
export class CabJobs {
  private readonly dirs = new WeakMap<Exchange, string>();
  private readonly jobs = new WeakMap<Request, Promise<CabInspection>>();
  /** Uploads being spooled, until their request completes (start) or the run ends. */
  private readonly spools = new Map<Exchange, UploadSpool>();
  /** How much of a spooled upload is kept in memory as well. */
  keepBytes = KEEP_SPOOLED_BYTES;

  /** `spoolDir`: where uploads are spooled (requestHead/bodyData); without it none is. */
  constructor(private readonly run: Inspect, private readonly spoolDir?: string) {}

  /** The CAB this exchange's request carries is to be extracted into `dir` (--save-dir).
   * Must be said before the request completes, as the one inflation starts then. */
  extractTo(ex: Exchange, dir: string): void {
    this.dirs.set(ex, dir);
  }

  /** How much of this message's body to keep in memory, when not --max-body-bytes: a PUT
   * (a level-2 upload) is spooled, and only its first keepBytes are kept. */
  keepLimit(head: MessageHead): number | undefined {
    return this.spoolDir !== undefined && isUpload(head) ? this.keepBytes : undefined;
  }

  /** A request head arrived: a PUT's body is spooled from its first byte. */
  requestHead(ex: Exchange, head: RequestHead): void {
    if (this.spoolDir === undefined || !isUpload(head)) return;
    this.spools.set(ex, new UploadSpool(this.spoolDir));
  }

  bodyData(ex: Exchange, source: Direction, data: Buffer): void {
    if (source === 'client') this.spools.get(ex)?.write(data);
  }

  /** The inspection of `ex`'s request body, started on first ask; undefined when the body is
   * not a complete CAB (in memory or spooled). Once it resolves, decodedOf has the view. */
  start(ex: Exchange): Promise<CabInspection> | undefined {
    const req = ex.request;
    if (!req) return undefined;
    const known = this.jobs.get(req);
    if (known) return known;
    const spool = this.spools.get(ex);
    this.spools.delete(ex);
    // Not kept in memory because it was spooled (outputs say so, not "too large").
    if (spool && !req.body.data && req.body.length > this.keepBytes) req.body.spooled = true;
    const cab = req.body.complete && isCab(req.body.data ?? req.body.head);
    if (!cab) {
      spool?.discard();
      return undefined;
    }
    const dir = this.dirs.get(ex);
    const kept = req.body.data ?? req.body.head;
    const inspect = (input: CabInput): Promise<CabInspection> => this.run(input, dir).catch((e: Error) => failed(kept, dir, e));
    // A spool's last burst goes to disk first (on the thread pool, not here).
    const started = spool
      ? spool.finish().then((file) => (file ? { file } : req.body.data ?? unspooled(spool))).then(inspect, (e: Error) => failed(kept, dir, e))
      : inspect(req.body.data!);
    const job = started.then((r) => {
      rememberCabView(req, r.view);
      return r;
    }).finally(() => spool?.discard());
    this.jobs.set(req, job);
    return job;
  }

  /** Resolves when no upload of connection `connId` has more bytes waiting for the disk than
   * its spool holds (cab-spool.ts); null when none has. */
  waitDrain(connId?: number): Promise<void> | null {
    for (const [ex, spool] of this.spools) {
      if (connId !== undefined && ex.connection.id !== connId) continue;
      const wait = spool.waitDrain();
      if (wait) return wait;
    }
    return null;
  }

  /** Removes the spools of uploads that never completed (the run is over). */
  discardSpools(): void {
    for (const s of this.spools.values()) s.discardNow();
    this.spools.clear();
  }
}

function isUpload(head: MessageHead): boolean {
  return head.kind === 'request' && head.method === 'PUT';
}

let shared: CabJobs | undefined;
let sharedWorker: CabWorker | undefined;

/** The process's CAB jobs: on the worker thread when it is built, else on this thread. A job
 * whose worker dies is not retried here (that would be this thread's turn to die): its CAB is
 * listed, not summarised. */
/** Starts the shared CAB worker thread ahead of the first CAB (when it is built); settles
 * once it is ready to take jobs (see CabWorker.warm). */
export async function warmCabWorker(): Promise<void> {
  sharedCabJobs();
  await sharedWorker?.warm();
}

/** Ends the shared CAB worker thread (the run is over; jobs still in flight are rejected). */
export async function stopCabWorker(): Promise<void> {
  shared?.discardSpools();
  await sharedWorker?.close();
  // Jobs the closed worker never finished leave their spools behind otherwise.
  discardAllSpools();
}

export function sharedCabJobs(): CabJobs {
  if (!shared) {
    if (cabWorkerAvailable()) sharedWorker = new CabWorker();
    const w = sharedWorker;
    shared = new CabJobs(w ? w.inspect : inspectHere, os.tmpdir());
  }
  return shared;
}

/** The shared CAB jobs for a live run: `includeBodies` (--include-bodies) keeps spooled
 * uploads in memory up to --max-body-bytes, for the outputs that inline them. */
export function liveCabJobs(opts: { includeBodies?: boolean }): CabJobs {
  const jobs = sharedCabJobs();
  jobs.keepBytes = opts.includeBodies ? Infinity : KEEP_SPOOLED_BYTES;
  return jobs;
}
