// A progress line on stderr for uploads over 1 MiB, redrawn at most five times a second: which
// upload (connection, report, machine), bytes received, percent and ETA when the length is
// known, rate. Several uploads at once share one combined line (totals first, then each
// upload's percent), so lines never fight over the terminal. Anything else written to the same
// terminal first clears it (aside(), clearingWrites()); the next data redraws it. Only for a
// terminal; the CLI does not create it otherwise.
import type { Writable } from 'node:stream';
import type { BodyObserver, CaptureEvent, Direction, Exchange, RequestHead, Sink } from '../model.js';
import { formatSize } from '../util/size.js';
import { escapeControl } from '../util/escape.js';
import { fitWidth } from '../render/width.js';
import { decodedOf } from '../domain/body/message.js';
import { reportFacts } from '../analysis/fleet/signature.js';

const SHOW_OVER = 1024 * 1024;
const REDRAW_MS = 200;
/** Report id → machine remembered, to name the machine an upload belongs to. */
const MAX_MACHINES = 10_000;

interface Upload {
  conn: number;
  reportId?: string;
  target: string;
  bytes: number;
  /** Content-Length, when the request declared one. */
  total?: number;
  started: number;
}

export class ProgressLine implements Sink, BodyObserver {
  private readonly uploads = new Map<Exchange, Upload>();
  private readonly machines = new Map<string, string>();
  private lastDraw = 0;
  private shown = false;

  constructor(private readonly err: Writable & { columns?: number }, private readonly now = Date.now) {}

  onRequestHead(ex: Exchange, head: RequestHead): void {
    const cl = head.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
    const total = cl !== undefined && /^\s*\d+\s*$/.test(cl) ? Number(cl) : undefined;
    this.uploads.set(ex, { conn: ex.connection.id, reportId: ex.reportId, target: head.target, bytes: 0, total, started: this.now() });
  }

  onBodyData(ex: Exchange, source: Direction, data: Buffer): void {
    const up = source === 'client' ? this.uploads.get(ex) : undefined;
    if (!up) return;
    up.bytes += data.length;
    const t = this.now();
    if (up.bytes > SHOW_OVER && t - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = t;
      this.draw(t);
    }
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'request') {
      this.learnMachine(ev.exchange);
      if (this.uploads.delete(ev.exchange)) this.clear();
    } else if (ev.type === 'close') {
      let gone = false;
      for (const [ex, up] of this.uploads) if (up.conn === ev.connection.id) gone = this.uploads.delete(ex) || gone;
      if (gone) this.clear();
    }
  }

  /** Runs `write` (something else for the terminal) with the progress line out of the way. */
  aside(write: () => void): void {
    this.clear();
    write();
    this.lastDraw = 0; // the next data redraws at once
  }

  async close(): Promise<void> {
    this.clear();
  }

  /** The text of the line: one upload, or all of them combined. Pure but for the clock. */
  line(t: number): string {
    const active = [...this.uploads.values()].filter((u) => u.bytes > 0);
    if (active.length === 1) {
      const u = active[0]!;
      return `${this.label(u)}: ${amount(u.bytes, u.total)} · ${rate(u, t)}${eta(u.bytes, u.total, u, t)}`;
    }
    const bytes = active.reduce((s, u) => s + u.bytes, 0);
    const known = active.every((u) => u.total !== undefined);
    const total = known ? active.reduce((s, u) => s + u.total!, 0) : undefined;
    const first = active.reduce((m, u) => Math.min(m, u.started), t);
    const each = active.map((u) => `${this.label(u)} ${u.total ? percent(u.bytes, u.total) : formatSize(u.bytes)}`).join(', ');
    return `${active.length} uploads: ${amount(bytes, total)} · ${rate({ bytes, started: first }, t)}${eta(bytes, total, { bytes, started: first }, t)} │ ${each}`;
  }

  private label(u: Upload): string {
    const machine = u.reportId ? this.machines.get(u.reportId) : undefined;
    const what = u.reportId ? `report ${u.reportId}` : (u.target.length > 40 ? '…' + u.target.slice(-39) : u.target);
    return escapeControl(`#${u.conn}${machine ? ' ' + machine : ''} ${what}`);
  }

  private draw(t: number): void {
    const width = this.err.columns ? this.err.columns - 1 : 79;
    this.err.write(`\r\x1b[2K${fitWidth(this.line(t), width)}`);
    this.shown = true;
  }

  private learnMachine(ex: Exchange): void {
    const req = ex.request;
    if (!ex.reportId || !req?.body.data || req.head.method === 'PUT') return;
    const report = decodedOf(req).report;
    const machine = report && reportFacts(report).machine;
    if (!machine) return;
    this.machines.set(ex.reportId, machine);
    if (this.machines.size > MAX_MACHINES) this.machines.delete(this.machines.keys().next().value!);
  }

  private clear(): void {
    if (this.shown) this.err.write('\r\x1b[2K');
    this.shown = false;
  }
}

function amount(bytes: number, total: number | undefined): string {
  return total ? `${formatSize(bytes)} of ${formatSize(total)} (${percent(bytes, total)})` : formatSize(bytes);
}

function percent(bytes: number, total: number): string {
  return `${Math.min(100, Math.floor((bytes / total) * 100))}%`;
}

function rate(u: { bytes: number; started: number }, t: number): string {
  return `${formatSize(Math.round(u.bytes / Math.max(0.001, (t - u.started) / 1000)))}/s`;
}

function eta(bytes: number, total: number | undefined, u: { bytes?: number; started: number }, t: number): string {
  if (!total || bytes <= 0 || bytes >= total) return '';
  const secs = Math.ceil(((total - bytes) * Math.max(1, t - u.started)) / bytes / 1000);
  return ` · ETA ${secs >= 60 ? `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s` : `${secs}s`}`;
}

/** `out` whose every write first calls `before` (the progress line steps aside for it). */
export function clearingWrites<T extends Writable>(out: T, before: () => void): T {
  return new Proxy(out, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void) => {
          before();
          return target.write(chunk, encoding as BufferEncoding, cb);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
