// The one place a WER conversation is put together (MS-CER2 §3.1.5): a level-1 report, the
// answer to it, and the level-2 PUT of the CAB that answer asked for. The Recorder shows it
// every exchange of every mode (listen, relay, decode of raw or pcap captures, replay) before
// any output sees the exchange; it gives each level-1 report its id, learns the DumpFile its
// answer issued (whoever answered: our emulated server, a real upstream through the relay, or
// the recorded answer in a capture), and links the PUT of that DumpFile to it. The emulated
// server, the checks, `diff`, `--save-dir` and every output read the result from the exchange
// (`reportId`, `wer`: see model.ts) instead of pairing requests themselves.
//
// Pure: no socket, no clock. Memory is bounded: at most `maxIssued` DumpFile paths are
// remembered (the oldest forgotten first), and a connection's reports waiting for an upload
// are forgotten when it closes.
import type { CaptureEvent, Conversation, Exchange, RequestHead } from '../model.js';
import { isLevel1Request } from '../domain/server/cer-server.js';
import { normalizeDumpTarget } from '../domain/server/level1-answer.js';
import { decodedOf } from '../domain/body/message.js';

/** DumpFile paths remembered for linking PUTs; the oldest are forgotten beyond this. */
export const MAX_ISSUED = 10_000;
/** Reports per connection still waiting for an upload; the oldest are forgotten beyond this. */
const MAX_WAITING_PER_CONNECTION = 64;

export interface TrackerOptions {
  maxIssued?: number;
  /** Also take a POST whose body is a `<WERREPORT>` (to another path than stage2.htm) for a
   * report. Needs the body decoded: off where nothing decodes (`--raw`, `-o`/`-w` alone). */
  sniffBodies?: boolean;
}

export class ConversationTracker {
  private reports = 0;
  /** Normalised DumpFile → the conversation whose answer issued it. Insertion order = age. */
  private readonly issued = new Map<string, Conversation>();
  /** Per connection, its reports without an upload yet, oldest first. */
  private readonly waiting = new Map<number, Conversation[]>();
  private readonly maxIssued: number;

  constructor(private readonly opts: TrackerOptions = {}) {
    this.maxIssued = opts.maxIssued ?? MAX_ISSUED;
  }

  /** Whether `ex` carries a level-1 report: a POST to stage2.htm, or (with sniffBodies) any
   * non-PUT request whose body is a `<WERREPORT>`. */
  isReport(ex: Exchange): boolean {
    const req = ex.request;
    if (!req) return false;
    if (isLevel1Request(req.head)) return true;
    if (!this.opts.sniffBodies || req.head.method === 'PUT' || req.body.length === 0) return false;
    return decodedOf(req).kind === 'wer-report';
  }

  /** A request head is complete. A PUT is linked now, before its body arrives, so that its
   * bytes can stream into its report's folder (--save-dir). */
  onRequestHead(ex: Exchange, head: RequestHead): void {
    if (head.method !== 'PUT' || ex.wer) return;
    const conv = this.issued.get(normalizeDumpTarget(head.target));
    if (conv) return this.link(ex, conv, 'dump-file');
    // Not a path any answer issued: the PUT was meant for the latest report on this
    // connection still without an upload (a client that got the path wrong, or a capture
    // without the answers).
    const list = this.waiting.get(ex.connection.id);
    const latest = list?.[list.length - 1];
    if (latest) this.link(ex, latest, 'connection');
  }

  /** Every framed event, in wire order, before any output sees it. */
  onEvent(ev: CaptureEvent): void {
    if (ev.type === 'request') this.onRequest(ev.exchange);
    else if (ev.type === 'response') this.onResponse(ev.exchange);
    else if (ev.type === 'close') this.waiting.delete(ev.connection.id);
  }

  private onRequest(ex: Exchange): void {
    const req = ex.request;
    if (!req || ex.wer) return;
    // A PUT whose head was not seen on its own (tests, fuzzers feeding whole events).
    if (req.head.method === 'PUT') return this.onRequestHead(ex, req.head);
    if (!this.isReport(ex)) return;
    const conversation: Conversation = { connection: ex.connection, seq: ex.seq, uploads: 0 };
    if (isLevel1Request(req.head)) ex.reportId = conversation.reportId = `r${++this.reports}`;
    ex.wer = { role: 'report', conversation };
    let list = this.waiting.get(ex.connection.id);
    if (!list) this.waiting.set(ex.connection.id, (list = []));
    list.push(conversation);
    if (list.length > MAX_WAITING_PER_CONNECTION) list.shift();
  }

  /** The answer to a report: the DumpFile it issued (with iData=1) is remembered for its PUT. */
  private onResponse(ex: Exchange): void {
    const res = ex.response;
    if (!res || ex.wer?.role !== 'report' || !ex.request) return;
    const conv = ex.wer.conversation;
    conv.answerStatus = res.head.status;
    if (res.head.status !== 200 || res.body.length === 0) return;
    const values = decodedOf(res, ex.request).level1?.values;
    if (values?.iData !== '1' || !values.DumpFile) return;
    conv.dumpFile = values.DumpFile;
    const key = normalizeDumpTarget(values.DumpFile);
    this.issued.delete(key);
    this.issued.set(key, conv);
    if (this.issued.size > this.maxIssued) this.issued.delete(this.issued.keys().next().value!);
  }

  private link(ex: Exchange, conv: Conversation, by: 'dump-file' | 'connection'): void {
    const n = ++conv.uploads;
    ex.wer = { role: 'upload', conversation: conv, by, n };
    // Only an upload to the path its answer issued belongs to the report's id (and folder).
    if (by === 'dump-file' && conv.reportId !== undefined) ex.reportId = conv.reportId;
    const list = this.waiting.get(conv.connection.id);
    const at = list ? list.lastIndexOf(conv) : -1;
    if (at >= 0) list!.splice(at, 1);
  }
}
