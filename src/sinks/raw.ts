// `--raw` and `-o`: exactly the bytes clients sent, nothing else — what `nc -l > file` saves.
// With several connections each one's bytes stay together: the first connection streams
// straight through, later ones wait (in memory, then in a temporary file: spool.ts) until the
// ones before them have closed, so a saved file can be decoded again as one stream of whole messages.
// All waiting connections share one memory budget (spool-budget.ts). When the temporary disk
// is full that budget can only be kept by reading less: waitDrain(connId) then pauses the
// waiting senders (never the one streaming, which must go on to close and free the rest), one
// stderr line says so, and a timer retries the temporary files.
import { once } from 'node:events';
import { drainOf } from './drain.js';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, Sink } from '../model.js';
import { Spool, SPOOL_MEMORY_BYTES, type OpenSpillFile } from './spool.js';
import { SpoolBudget, SPOOL_BUDGET_BYTES } from './spool-budget.js';
import { formatSize } from '../util/size.js';

export interface RawSinkOptions {
  /** Memory per waiting connection before its bytes go to a temporary file. */
  spoolMemoryBytes?: number;
  /** Memory all waiting connections hold together before their bytes go to temporary files. */
  spoolBudgetBytes?: number;
  spoolDir?: string;
  /** Tests: a temporary file that fails like a full disk. */
  openSpillFile?: OpenSpillFile;
  /** One line for stderr (the temporary files failed), told once. */
  onNotice?(line: string): void;
}

/** How often the temporary files are tried again while senders are paused for them. */
export const SPILL_RETRY_MS = 1000;

export class RawSink implements Sink {
  private owner: number | undefined;
  private readonly order: number[] = [];
  private readonly queued = new Map<number, Spool>();
  private readonly closed = new Set<number>();
  readonly budget: SpoolBudget;
  private retryTimer: NodeJS.Timeout | undefined;
  private told = false;

  constructor(
    private readonly out: Writable, private readonly source: Direction = 'client', private readonly endOut = false,
    private readonly spoolOpts: RawSinkOptions = {},
  ) {
    this.budget = new SpoolBudget(spoolOpts.spoolBudgetBytes ?? SPOOL_BUDGET_BYTES);
  }

  chunk(chunk: Chunk, _conn: ConnectionInfo): void {
    if (chunk.source !== this.source) return;
    if (this.owner === undefined) this.owner = chunk.connId;
    if (chunk.connId === this.owner) this.out.write(chunk.bytes);
    else {
      let q = this.queued.get(chunk.connId);
      if (!q) this.queued.set(chunk.connId, (q = this.newSpool()));
      q.add(chunk.bytes);
      if (q.failure && !this.told) {
        this.told = true;
        this.spoolOpts.onNotice?.(`cannot write waiting connections' bytes to a temporary file in ${q.dir} (${q.failure}): up to ${formatSize(this.budget.limit)} is held in memory, then those clients are paused until the connections before them close — free space there or set TMPDIR to another disk`);
      }
    }
  }

  private newSpool(): Spool {
    const o = this.spoolOpts;
    return new Spool(o.spoolMemoryBytes ?? SPOOL_MEMORY_BYTES, o.spoolDir, { budget: this.budget, openFile: o.openSpillFile });
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'open') this.order.push(ev.connection.id);
    else if (ev.type === 'close') {
      this.closed.add(ev.connection.id);
      if (ev.connection.id === this.owner || this.owner === undefined) this.advance();
    }
  }

  /** The owner closed: hand the stream to the oldest connection still waiting. */
  private advance(): void {
    if (this.owner !== undefined) {
      const i = this.order.indexOf(this.owner);
      if (i >= 0) this.order.splice(i, 1);
      this.closed.delete(this.owner);
    }
    this.owner = undefined;
    while (this.order.length) {
      const id = this.order[0]!;
      const q = this.queued.get(id);
      this.queued.delete(id);
      q?.drain((b) => this.out.write(b));
      if (!this.closed.has(id)) {
        this.owner = id;
        this.endTurnWait(id);
        return;
      }
      this.order.shift();
      this.closed.delete(id);
      this.endTurnWait(id);
    }
  }

  /** The output's drain; for a waiting connection (`connId`) while the spools are over their
   * budget (their temporary files failed), also the budget: that sender is paused until memory
   * is back under it. */
  waitDrain(connId?: number): Promise<void> | null {
    const out = drainOf(this.out);
    if (connId === undefined || connId === this.owner || !this.budget.over || !this.queued.has(connId)) return out;
    this.retryLater();
    // Its turn also ends the wait: the new owner must stream on even while the others keep
    // the budget over, or nothing would ever close and free it.
    const under = Promise.race([this.budget.whenUnder(), this.turnOf(connId)]);
    return out ? Promise.all([out, under]).then(() => undefined) : under;
  }

  private readonly turns = new Map<number, { wait: Promise<void>; go: () => void }>();

  /** Resolves when `connId` becomes the owner (or at close()). */
  private turnOf(connId: number): Promise<void> {
    let t = this.turns.get(connId);
    if (!t) {
      let go!: () => void;
      const wait = new Promise<void>((r) => (go = r));
      this.turns.set(connId, (t = { wait, go }));
    }
    return t.wait;
  }

  private endTurnWait(connId: number): void {
    this.turns.get(connId)?.go();
    this.turns.delete(connId);
  }

  /** While over budget, tries the temporary files again now and then (disk space may come
   * back before the connection in front closes). */
  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      for (const q of this.queued.values()) q.retry();
      if (!this.budget.over) this.stopRetrying();
    }, SPILL_RETRY_MS);
    this.retryTimer.unref();
  }

  private stopRetrying(): void {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  async close(): Promise<void> {
    this.stopRetrying();
    for (const id of [...this.turns.keys()]) this.endTurnWait(id);
    // Connections still open at shutdown: write what they sent, in order.
    for (const id of this.order) {
      this.queued.get(id)?.drain((b) => this.out.write(b));
    }
    this.queued.clear();
    if (this.endOut) {
      await new Promise<void>((resolve, reject) => {
        this.out.once('error', reject);
        this.out.end(() => resolve());
      });
    } else if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}
