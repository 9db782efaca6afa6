// Adds check findings to a sink that shows them (pretty, NDJSON): every event goes through a
// ConversationChecker first, and the sink gets the event together with the findings it
// produced, so a report's findings appear right under it. When the run ends, what never came
// (a CAB that was asked for) is handed over before the sink closes. Only the human and JSON
// views are wrapped: raw, capture-file, pcap and HAR outputs never pay for checking.
import type { CaptureEvent, Sink } from '../model.js';
import { ConversationChecker, type ReportFindings } from '../analysis/check/conversation.js';

export interface FindingSink extends Sink {
  event(ev: CaptureEvent, found?: ReportFindings[]): void;
  findings(found: ReportFindings[]): void;
}

export class CheckedSink implements Sink {
  private readonly checker = new ConversationChecker();

  constructor(private readonly inner: FindingSink, private readonly now: () => number = Date.now) {}

  event(ev: CaptureEvent): void {
    const found = this.checker.event(ev);
    this.inner.event(ev, found.length ? found : undefined);
  }

  waitDrain(): Promise<void> | null {
    return this.inner.waitDrain?.() ?? null;
  }

  async close(): Promise<void> {
    const found = this.checker.end(this.now());
    if (found.length) this.inner.findings(found);
    await this.inner.close();
  }
}
