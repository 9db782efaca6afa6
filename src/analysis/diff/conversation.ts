// What `diff` compares: one WER conversation — the level-1 exchange (request and the server's
// answer), the level-2 upload paired with it, and the CAB's file list — gathered from the
// same event stream every output sees. Pure: a Sink that only keeps references.
import type { CaptureEvent, Exchange, Sink } from '../../model.js';
import { decodeMessage } from '../../domain/body/message.js';
import { normalizeDumpTarget } from '../../domain/server/level1-answer.js';
import { isReportRequest } from '../check/conversation.js';

export interface Conversation {
  /** `file#N` or the folder it came from. */
  label: string;
  report: Exchange;
  upload?: Exchange;
  /** Names in the CAB (from the upload, or a saved report.cab). */
  cabFiles?: { name: string; size: number }[];
}

export class ConversationGatherer implements Sink {
  readonly conversations: Conversation[] = [];
  private readonly byDump = new Map<string, Conversation>();
  private readonly perInput = new Map<number, number>();
  /** Each report's conversation, found by its exchange when the answer comes. */
  private readonly byReport = new WeakMap<Exchange, Conversation>();
  /** Per connection, its conversations still without an upload, oldest first. */
  private readonly unpaired = new Map<number, Conversation[]>();

  event(ev: CaptureEvent): void {
    if (ev.type === 'request' && ev.exchange.request) {
      const ex = ev.exchange;
      const head = ex.request!.head;
      if (head.method === 'PUT') this.onPut(ex);
      else if (isReportRequest(head, ex)) {
        const n = (this.perInput.get(ex.connection.id) ?? 0) + 1;
        this.perInput.set(ex.connection.id, n);
        const conv: Conversation = { label: `${ex.connection.peer}#${n}`, report: ex };
        this.conversations.push(conv);
        this.byReport.set(ex, conv);
        const list = this.unpaired.get(ex.connection.id);
        if (list) list.push(conv);
        else this.unpaired.set(ex.connection.id, [conv]);
      }
    } else if (ev.type === 'response' && ev.exchange.response && ev.exchange.request) {
      const conv = this.byReport.get(ev.exchange);
      const dump = conv ? decodeMessage(ev.exchange.response, ev.exchange.request).level1?.values.DumpFile : undefined;
      if (conv && dump) this.byDump.set(normalizeDumpTarget(dump), conv);
    }
  }

  async close(): Promise<void> {}

  private onPut(ex: Exchange): void {
    const target = normalizeDumpTarget(ex.request!.head.target);
    // Paired by the issued DumpFile; else the latest report on the connection still without one.
    const waiting = this.unpaired.get(ex.connection.id);
    const conv = this.byDump.get(target) ?? waiting?.at(-1);
    if (!conv || conv.upload) return;
    conv.upload = ex;
    const list = this.unpaired.get(conv.report.connection.id)!;
    list.splice(list.lastIndexOf(conv), 1);
    const cab = ex.request!.body.data ? decodeMessage(ex.request!).cab : undefined;
    if (cab) conv.cabFiles = cab.cab.files.map((f) => ({ name: f.name, size: f.size }));
  }
}
