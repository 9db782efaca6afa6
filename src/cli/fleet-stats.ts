// The bucket table of `listen` and `relay`: counted by a BucketCounter among the sinks, printed
// on stderr when the run stops (SIGINT/SIGTERM, --once) and every --stats interval, and with
// --json also written as a `stats` event into the NDJSON stream. Before writing on stderr it
// asks the progress line (if any) to step aside, so the two never garble each other.
import type { Writable } from 'node:stream';
import { BucketCounter, statsJson } from '../analysis/fleet/buckets.js';
import { formatBucketTable } from '../render/format-buckets.js';
import type { Paint } from '../render/paint.js';

export interface FleetStatsOptions {
  /** `--stats`: milliseconds between tables; undefined = only at the end. */
  interval?: number;
  stderr: Writable & { isTTY?: boolean; columns?: number };
  paint: Paint;
  /** `--json`: where the `stats` event goes. */
  json?(obj: object): void;
  /** `--redact`: text about traffic goes through the run's pseudonyms. */
  redact?(text: string): string;
  /** Write on stderr without fighting the progress line. */
  aside?(write: () => void): void;
  now?(): number;
}

export class FleetStats {
  readonly counter = new BucketCounter();
  private timer?: NodeJS.Timeout;
  private readonly started: number;

  constructor(private readonly opts: FleetStatsOptions) {
    this.started = (opts.now ?? Date.now)();
  }

  start(): void {
    if (!this.opts.interval) return;
    this.timer = setInterval(() => this.print(), this.opts.interval);
    this.timer.unref();
  }

  /** The table on stderr (and the `stats` event with --json). */
  print(): void {
    const now = (this.opts.now ?? Date.now)();
    const stats = this.counter.stats();
    this.opts.json?.(statsJson(stats, now));
    const err = this.opts.stderr;
    const lines = formatBucketTable(stats, { paint: this.opts.paint, width: err.isTTY ? err.columns || 80 : undefined, dates: now - this.started > 86_400_000 });
    const text = lines.join('\n') + '\n';
    const write = () => err.write(this.opts.redact ? this.opts.redact(text) : text);
    if (this.opts.aside) this.opts.aside(write);
    else write();
  }

  /** The run stopped: no more interval tables, one last table. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.print();
  }
}
