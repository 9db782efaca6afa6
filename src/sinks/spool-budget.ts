// What all the spools of one RawSink (spool.ts) may hold in memory together. Per connection a
// spool keeps at most SPOOL_MEMORY_BYTES before spilling to a temporary file, but 200 waiting
// connections each under that limit held 800 MB; the budget caps the sum. Memory goes over it
// only when spilling fails (temporary disk full): then the sink pauses the senders (raw.ts)
// until `whenUnder()` resolves.

/** Memory all waiting connections may hold together before their bytes go to temporary files. */
export const SPOOL_BUDGET_BYTES = 32 * 1024 * 1024;

export class SpoolBudget {
  /** Bytes held in memory by every spool sharing this budget. */
  used = 0;
  private wake: (() => void) | undefined;
  private wait: Promise<void> | undefined;

  constructor(readonly limit = SPOOL_BUDGET_BYTES) {}

  /** Whether `n` more bytes fit. */
  fits(n: number): boolean {
    return this.used + n <= this.limit;
  }

  get over(): boolean {
    return this.used > this.limit;
  }

  take(n: number): void {
    this.used += n;
  }

  give(n: number): void {
    this.used -= n;
    if (!this.over && this.wake) {
      const wake = this.wake;
      this.wake = this.wait = undefined;
      wake();
    }
  }

  /** Resolves once the spools are back within the limit (at once when they are). */
  whenUnder(): Promise<void> {
    if (!this.over) return Promise.resolve();
    return (this.wait ??= new Promise<void>((resolve) => (this.wake = resolve)));
  }
}
