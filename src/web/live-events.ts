// Server-Sent Events to every open page: each changed row goes out as one `data:` line. A page
// that does not read fast enough (its socket buffer is full) is not written to until it drains:
// the rows it missed are only counted, and once it drains it gets one `skipped` event with the
// count, so it can say "reconnect, N events skipped" and fetch the list again. A page stuck for
// STUCK_MS is disconnected (EventSource reconnects by itself). So a slow browser costs at most
// one buffer of memory and never holds up the capture.
import type { ServerResponse } from 'node:http';

export const STUCK_MS = 30_000;
const HEARTBEAT_MS = 15_000;

interface Client { res: ServerResponse; lagging: boolean; skipped: number; since: number }

export class LiveEvents {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n', false), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get count(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.write('retry: 1000\n\n');
    const c: Client = { res, lagging: false, skipped: 0, since: 0 };
    this.clients.add(c);
    res.on('close', () => this.clients.delete(c));
  }

  /** One event to every page; `counts` false for comments (heartbeats are not "events"). */
  send(text: string, counts = true): void {
    for (const c of this.clients) {
      if (c.lagging) {
        if (counts) c.skipped++;
        if (this.now() - c.since > STUCK_MS) {
          this.clients.delete(c);
          c.res.destroy();
        }
        continue;
      }
      if (!c.res.write(text)) {
        c.lagging = true;
        c.since = this.now();
        c.res.once('drain', () => {
          c.lagging = false;
          const n = c.skipped;
          c.skipped = 0;
          if (n > 0) c.res.write(`event: skipped\ndata: ${n}\n\n`);
        });
      }
    }
  }

  row(json: string): void {
    this.send(`data: ${json}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
