// What `diff` compares: one WER conversation — the level-1 exchange (request and the server's
// answer), the level-2 upload linked to it, and the CAB's file list — gathered from the same
// event stream every output sees. Which upload belongs to which report is the pipeline's
// conversation tracker's answer (`Exchange.wer`, pipeline/conversation.ts). Pure: a Sink that
// only keeps references.
import type { CaptureEvent, Conversation as WerConversation, Exchange, Sink } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';

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
  private readonly perInput = new Map<number, number>();
  /** Each report's entry, by the tracker's conversation its upload points at. */
  private readonly byConversation = new WeakMap<WerConversation, Conversation>();

  event(ev: CaptureEvent): void {
    if (ev.type !== 'request' || !ev.exchange.request) return;
    const ex = ev.exchange;
    const w = ex.wer;
    if (w?.role === 'report') {
      const n = (this.perInput.get(ex.connection.id) ?? 0) + 1;
      this.perInput.set(ex.connection.id, n);
      const conv: Conversation = { label: `${ex.connection.peer}#${n}`, report: ex };
      this.conversations.push(conv);
      this.byConversation.set(w.conversation, conv);
    } else if (w?.role === 'upload') {
      const conv = this.byConversation.get(w.conversation);
      if (!conv || conv.upload) return;
      conv.upload = ex;
      const cab = ex.request!.body.data ? decodedOf(ex.request!).cab : undefined;
      if (cab) conv.cabFiles = cab.cab.files.map((f) => ({ name: f.name, size: f.size }));
    }
  }

  async close(): Promise<void> {}
}
