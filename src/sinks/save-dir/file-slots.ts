// How `--save-dir` opens files: at most `limit` at once (a burst of reports queues instead of
// each opening its files at the same moment), and a full descriptor table (EMFILE: this
// process, ENFILE: the whole system) is waited out — the work is tried again after a pause,
// when sockets or other writes have closed theirs — instead of losing the report. Only when
// the table stays full for `patienceMs` does the error reach the caller.

import { isOutOfDescriptors } from '../../util/descriptors.js';
/** Files open at once for report folders: well below the usual limit of 1024 (ulimit -n),
 * leaving the rest to sockets and the other outputs. */
export const DEFAULT_FILE_SLOTS = 64;

export { isOutOfDescriptors };

export interface FileSlotsOptions {
  limit?: number;
  /** How long a job keeps trying while descriptors are exhausted before it fails. */
  patienceMs?: number;
  /** Told once per run, the first time descriptors ran out (the hint for the user). */
  onExhausted?(code: string): void;
}

export class FileSlots {
  readonly limit: number;
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly patienceMs: number;
  /** Jobs that had to wait for a descriptor (figures for tests and the bench). */
  retries = 0;
  private told = false;

  constructor(private readonly opts: FileSlotsOptions = {}) {
    this.limit = Math.max(1, opts.limit ?? DEFAULT_FILE_SLOTS);
    this.patienceMs = opts.patienceMs ?? 120_000;
  }

  /** Files open right now through this queue, and jobs waiting for a turn. */
  get busy(): { active: number; queued: number } {
    return { active: this.active, queued: this.queue.length };
  }

  /**
   * Runs `job` holding one slot; `job` must close what it opens before it settles. When it
   * throws EMFILE/ENFILE (or `outOfDescriptors(result)` says a result failed that way) the
   * slot is given back, and after a pause the job runs again with the next `attempt`.
   */
  async run<T>(job: (attempt: number) => Promise<T> | T, outOfDescriptors?: (result: T) => boolean): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      await this.acquire();
      let result: T;
      try {
        result = await job(attempt);
      } catch (err) {
        this.release();
        if (!isOutOfDescriptors(err) || Date.now() - started > this.patienceMs) throw err;
        await this.pause(attempt, (err as NodeJS.ErrnoException).code!);
        continue;
      }
      this.release();
      if (!outOfDescriptors?.(result) || Date.now() - started > this.patienceMs) return result;
      await this.pause(attempt, 'EMFILE');
    }
  }

  private async pause(attempt: number, code: string): Promise<void> {
    this.retries++;
    if (!this.told) {
      this.told = true;
      this.opts.onExhausted?.(code);
    }
    // 10 ms, doubling to at most 1 s, with jitter so waiting jobs do not all retry together.
    const ms = Math.min(1000, 10 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private acquire(): Promise<void> | void {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next job: `active` stays the same.
    if (next) next();
    else this.active--;
  }
}
