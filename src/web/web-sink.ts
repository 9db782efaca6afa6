// The inspector's ends of the pipeline. WebSink takes the framed events, with each report's
// findings on them (the Recorder checks because this sink shows findings), into the history; WebTap takes the wire chunks for the
// exact request bytes and the session's pcap/HAR files. Neither ever asks the capture to wait
// (no waitDrain): a slow browser loses live updates, never slows a client or a file.
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, ReportFindings, Sink } from '../model.js';
import { isCab } from '../domain/cab/cab-view.js';
import { WebHistory } from './history.js';
import { ExactBytes } from './exact-bytes.js';
import type { SessionFiles } from './session-files.js';
import { findingsOf, requestViewOf } from './view-of.js';

export class WebSink implements Sink {
  constructor(readonly history: WebHistory, private readonly exact: ExactBytes) {}

  event(ev: CaptureEvent): void {
    if (ev.type === 'request' || ev.type === 'response') {
      const ex = ev.exchange;
      const rec = this.history.see(ex, ev.ts, ev.type === 'request' ? this.exact.take(ex) : undefined);
      const data = ex.request?.body.data;
      if (ev.type === 'request' && rec.row.kind === 'upload' && data && isCab(data)) {
        const cab = requestViewOf(ex)?.cab;
        if (cab) this.history.setCabView(rec, cab);
      }
    } else if (ev.type === 'close') this.exact.forget(ev.connection.id);
    if (ev.findings) this.findings(ev.findings);
  }

  findings(found: ReportFindings[]): void {
    for (const r of findingsOf(found)) this.history.addFindings(r.key, r.findings);
  }

  async close(): Promise<void> {}
}

/** The chunk side: exact request bytes, and the session files when there are any. */
export class WebTap implements Sink {
  constructor(private readonly exact: ExactBytes, private readonly session?: SessionFiles) {}

  chunk(chunk: Chunk, conn: ConnectionInfo): void {
    this.exact.chunk(chunk);
    this.session?.chunk(chunk, conn);
  }

  shutdown(conn: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void {
    this.session?.shutdown(conn, source, how, ts);
  }

  event(ev: CaptureEvent): void {
    this.session?.event(ev);
  }

  async close(): Promise<void> {
    await this.session?.finish();
  }
}
