// Gathers the findings of a whole capture per report, for `wer-sniff check`: a Sink that runs
// the ConversationChecker over the event stream and keeps, per level-1 report (and per PUT that
// belongs to none), what it is and every finding of every stage. Pure: no output of its own.
import type { CaptureEvent, Sink } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { ConversationChecker, type ReportFindings } from './conversation.js';
import { sortFindings, type Finding } from './rules.js';
import { append } from '../../util/append.js';

export interface CheckedReport {
  /** The input (file name) or peer the report came from. */
  input: string;
  conn: number;
  seq: number;
  reportId?: string;
  /** Position among the level-1 reports of its input, from 1 (`file#N`); 0 for a PUT. */
  n: number;
  method: string;
  target: string;
  eventType?: string;
  app?: string;
  machine?: string;
  findings: Finding[];
}

export class CheckCollector implements Sink {
  readonly reports: CheckedReport[] = [];
  private readonly byKey = new Map<string, CheckedReport>();
  private readonly checker = new ConversationChecker({ noteMissingAnswers: true });
  private readonly perInput = new Map<number, number>();

  constructor(private readonly now: () => number) {}

  event(ev: CaptureEvent): void {
    this.add(this.checker.event(ev));
  }

  /** Ends the run: adds what never came. Call once after the last event. */
  finish(): CheckedReport[] {
    this.add(this.checker.end(this.now()));
    for (const r of this.reports) r.findings = sortFindings(r.findings);
    return this.reports;
  }

  async close(): Promise<void> {}

  private add(found: ReportFindings[]): void {
    for (const r of found) {
      let rep = this.byKey.get(r.key);
      if (!rep) {
        const req = r.exchange?.request;
        const report = req && req.head.method !== 'PUT' ? decodedOf(req).report : undefined;
        const isPut = req?.head.method === 'PUT';
        const n = isPut ? 0 : (this.perInput.get(r.connection.id) ?? 0) + 1;
        if (!isPut) this.perInput.set(r.connection.id, n);
        rep = {
          input: r.connection.peer, conn: r.connection.id, seq: r.seq, n,
          method: req?.head.method ?? '', target: req?.head.target ?? '', findings: [],
        };
        if (r.reportId !== undefined) rep.reportId = r.reportId;
        if (report?.event?.eventType) rep.eventType = report.event.eventType;
        const app = report?.application?.name || report?.parameters.find((p) => p.id === 0)?.value;
        if (app) rep.app = app;
        if (report?.machine?.name) rep.machine = report.machine.name;
        this.byKey.set(r.key, rep);
        this.reports.push(rep);
      }
      append(rep.findings, r.findings);
    }
  }
}
