// A progress line on stderr for uploads over 1 MiB: bytes received and rate, redrawn at most
// five times a second. Only for a terminal; the CLI does not create it otherwise.
import type { Writable } from 'node:stream';
import type { CaptureEvent, Direction, Exchange, RequestHead, Sink } from '../model.js';
import type { BodyObserver } from '../capture/listener.js';
import { formatSize } from './size.js';
import { escapeControl } from './escape.js';

const SHOW_OVER = 1024 * 1024;
const REDRAW_MS = 200;

interface Upload {
  label: string;
  bytes: number;
  started: number;
}

export class ProgressLine implements Sink, BodyObserver {
  private readonly uploads = new Map<Exchange, Upload>();
  private lastDraw = 0;
  private shown = false;

  constructor(private readonly err: Writable, private readonly now = Date.now) {}

  onRequestHead(ex: Exchange, head: RequestHead): void {
    const what = `${head.method} ${head.target.length > 48 ? '…' + head.target.slice(-47) : head.target}`;
    this.uploads.set(ex, { label: `#${ex.connection.id} ${escapeControl(what)}${ex.reportId ? ` [${ex.reportId}]` : ''}`, bytes: 0, started: this.now() });
  }

  onBodyData(ex: Exchange, source: Direction, data: Buffer): void {
    const up = source === 'client' ? this.uploads.get(ex) : undefined;
    if (!up) return;
    up.bytes += data.length;
    const t = this.now();
    if (up.bytes > SHOW_OVER && t - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = t;
      const rate = up.bytes / Math.max(0.001, (t - up.started) / 1000);
      this.err.write(`\r\x1b[2K${up.label}: ${formatSize(up.bytes)} · ${formatSize(rate)}/s`);
      this.shown = true;
    }
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'request' || ev.type === 'close') {
      if (ev.type === 'request') this.uploads.delete(ev.exchange);
      else for (const ex of this.uploads.keys()) if (ex.connection === ev.connection) this.uploads.delete(ex);
      this.clear();
    }
  }

  async close(): Promise<void> {
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.err.write('\r\x1b[2K');
    this.shown = false;
  }
}
