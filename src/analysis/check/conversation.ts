// Checks whole conversations from the event stream every output sees: each level-1 report on
// its own (check-level1.ts), then what happened to it — the server's answer (status, Key=value
// body, iData/DumpFile), the level-2 PUT (to the issued path? complete? a CAB? holding the
// FILES the report listed?), and at the end of a connection or run what never came. Which PUT
// belongs to which report is read from the exchanges (`wer`), as the pipeline's conversation
// tracker linked them by the DumpFile the answer issued (MS-CER2 §2.2.3; pipeline/
// conversation.ts), so it works live, through a relay and offline alike. Pure: timestamps
// come from the events; it only reads the exchanges it is shown.
import type { CaptureEvent, ConnectionInfo, Conversation, Exchange, ReportFindings } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { checkLevel1 } from './check-level1.js';
import { finding, MAX_FINDINGS_PER_RULE, sortFindings, type Finding } from './rules.js';
import { quote } from './check-structure.js';

export type { ReportFindings } from '../../model.js';

/** What is remembered of a report until its conversation is over: no bodies. */
interface Tracked {
  connection: ConnectionInfo;
  seq: number;
  reportId?: string;
  /** FILE names the report listed, as a JSON array: one fresh string, where the names
   * themselves would be slices that keep the whole report text alive. */
  files: string;
  answered: boolean;
  dumpFile?: string;
}

/** Reports remembered while waiting for their answer or CAB; the oldest are forgotten. */
export const MAX_TRACKED = 10_000;

/** A CAB entry holds a listed file when the names match, also with Windows' `WERxxxx.tmp.` prefix. */
export function cabHoldsFile(cabNames: readonly string[], file: string): boolean {
  return cabFileIndex(cabNames).has(file.toLowerCase());
}

/** What cabHoldsFile matches, as one set: each CAB name's base name, lower case, and every
 * suffix of it after a dot. Built once per upload, so FILES × CAB names is not a product
 * (a report may list 100,000 FILEs). */
export function cabFileIndex(cabNames: readonly string[]): Set<string> {
  const index = new Set<string>();
  for (const n of cabNames) {
    const name = n.toLowerCase().split(/[\\/]/).pop() ?? '';
    index.add(name);
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) index.add(name.slice(dot + 1));
  }
  return index;
}

/** A level-2 upload as the checks need it; `kind` and `cabFiles` only when it is complete and
 * its bytes were kept (`cabFiles` only for a CAB). */
export interface Upload {
  complete: boolean;
  length: number;
  kind?: string;
  cabFiles?: string[];
}

export interface CheckerOptions {
  /** Add an `answer-not-captured` note to reports in a capture without server bytes (`check`
   * does; the live and decode views leave it out: there it would follow every report of an
   * `nc -l` capture). */
  noteMissingAnswers?: boolean;
}

export class ConversationChecker {
  /** What is remembered of each report, by its conversation. Weak: a conversation lives only
   * as long as its exchanges or the tracker's bounded table of issued paths. */
  private readonly tracked = new WeakMap<Conversation, Tracked>();
  /** Reports waiting for their answer per connection (bodiless), for what is reported when it closes. */
  private readonly openByConn = new Map<number, OpenReports>();
  /** Reports whose answer asked for the CAB, until the PUT comes (oldest first). */
  private readonly awaitingCab = new Map<Conversation, Tracked>();
  private readonly answeredConns = new Set<number>();
  /** Whether any answer in this run issued a DumpFile (else a PUT cannot be judged). */
  private issuedAny = false;

  constructor(private readonly opts: CheckerOptions = {}) {}

  event(ev: CaptureEvent): ReportFindings[] {
    switch (ev.type) {
      case 'request': return this.onRequest(ev.exchange, ev.ts);
      case 'response': return this.onResponse(ev.exchange, ev.ts);
      case 'close': return this.onClose(ev.connection, ev.ts);
      default: return [];
    }
  }

  /** The run ended: reports whose CAB was asked for and never came. */
  end(ts: number): ReportFindings[] {
    const out: ReportFindings[] = [];
    for (const t of this.awaitingCab.values()) {
      out.push(this.result(t, 'end', ts, [finding('cab-not-uploaded', `the server asked for the CAB at ${quote(t.dumpFile!, 160)} (iData=1) and no PUT to it came before the capture ended`, 'check that the client can reach the server for level 2 and that DumpFile is a path it can PUT to')]));
    }
    this.awaitingCab.clear();
    this.openByConn.clear();
    return out;
  }

  private result(t: Tracked, stage: ReportFindings['stage'], ts: number, findings: Finding[], exchange?: Exchange): ReportFindings {
    const r: ReportFindings = { ts, connection: t.connection, seq: t.seq, stage, key: `${t.connection.id}:${t.seq}`, findings: sortFindings(findings) };
    if (t.reportId !== undefined) r.reportId = t.reportId;
    if (exchange) r.exchange = exchange;
    return r;
  }

  private static tracked(ex: Exchange, files: string[]): Tracked {
    const t: Tracked = { connection: ex.connection, seq: ex.seq, files: JSON.stringify(files), answered: false };
    if (ex.reportId !== undefined) t.reportId = ex.reportId;
    return t;
  }

  /** Bounded maps: beyond MAX_TRACKED the oldest entry is given up. */
  private static bound<K, V>(map: Map<K, V>): void {
    if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
  }

  private onRequest(ex: Exchange, ts: number): ReportFindings[] {
    const req = ex.request;
    if (!req) return [];
    if (req.head.method === 'PUT') return this.onPut(ex, ts);
    if (ex.wer?.role !== 'report') return [];
    const dec = decodedOf(req);
    const findings = checkLevel1({ head: req.head, body: req.body, decoding: dec, problems: ex.problems, now: ts });
    const t = ConversationChecker.tracked(ex, dec.report?.files.map((f) => f.name).filter((n) => n !== '') ?? []);
    this.tracked.set(ex.wer.conversation, t);
    let open = this.openByConn.get(ex.connection.id);
    if (!open) this.openByConn.set(ex.connection.id, (open = new OpenReports()));
    open.add(t);
    const out = [this.result(t, 'report', ts, findings, ex)];
    if (open.size > MAX_TRACKED) {
      // Far too many unanswered reports on one connection: the oldest is given up now.
      const oldest = open.oldest()!;
      open.delete(oldest);
      const gone = this.unansweredResult(oldest, ex.connection, ts);
      if (gone) out.push(gone);
    }
    return out;
  }

  private onPut(ex: Exchange, ts: number): ReportFindings[] {
    const req = ex.request!;
    const w = ex.wer?.role === 'upload' ? ex.wer : undefined;
    const t = w && this.tracked.get(w.conversation);
    const awaited = Boolean(t && this.awaitingCab.delete(w!.conversation));
    if (t && w!.by === 'dump-file' && !awaited) {
      // The path was issued and its CAB already came: an upload sent again, not a wrong path.
      return [this.result(t, 'upload', ts, [finding('duplicate-upload', `the CAB was PUT to ${quote(req.head.target, 160)} again: that DumpFile already had its upload (with --save-dir the first complete one is report.cab, later ones report.2.cab, …)`, 'PUT each CAB once; if the client retries, check why it did not take the first 200 answer')])];
    }
    if (t && awaited && w!.by === 'connection') {
      // A report on this connection was waiting for its CAB: the PUT was meant for it. The
      // PUT-path finding explains why its CAB never arrives: not reported again at the end.
      return [this.result(t, 'upload', ts, [finding('put-path-not-issued', `the CAB was PUT to ${quote(req.head.target, 160)}, but the server issued DumpFile ${quote(t.dumpFile!, 160)}`, 'PUT the CAB to exactly the DumpFile path of the level-1 answer')])];
    }
    if (!t || !awaited) {
      return [this.result(ConversationChecker.tracked(ex, []), 'upload', ts, [this.issuedAny
        ? finding('put-path-not-issued', `PUT to ${quote(req.head.target, 160)}, a path no level-1 answer issued as DumpFile`, 'PUT the CAB to exactly the DumpFile path of the level-1 answer')
        : finding('put-unpaired', `PUT to ${quote(req.head.target, 160)}: the level-1 answer that issued it is not in this capture`, 'capture the level-1 report and its answer too to check the upload against them')], ex)];
    }
    const upload: Upload = { complete: req.body.complete, length: req.body.length };
    if (req.body.complete && (req.body.data || req.body.headOnly)) {
      const dec = decodedOf(req);
      upload.kind = dec.kind;
      if (dec.cab) upload.cabFiles = dec.cab.cab.files.map((f) => f.name);
    }
    return this.uploadResult(t, upload, ts);
  }

  private uploadResult(t: Tracked, upload: Upload, ts: number): ReportFindings[] {
    const findings: Finding[] = [];
    if (!upload.complete) {
      findings.push(finding('put-incomplete', `the CAB upload ended after ${upload.length} bytes, before the body was complete`, 'let the upload finish; check the connection and any size limit on the server'));
    } else if (upload.kind !== undefined && !upload.cabFiles) {
      findings.push(finding('put-not-cab', `the level-2 upload (${upload.length} bytes, ${upload.kind}) is not a CAB`, 'upload the report files packed in one .cab, as Windows does'));
    } else if (upload.cabFiles) {
      const names = upload.cabFiles;
      const index = cabFileIndex(names);
      // The CAB's names once, and only the first few: the message is repeated per missing file.
      const shown = names.slice(0, 10).map((n) => quote(n)).join(', ') + (names.length > 10 ? `, … ${names.length - 10} more` : '');
      let missing = 0;
      for (const f of JSON.parse(t.files) as string[]) {
        if (index.has(f.toLowerCase()) || ++missing > MAX_FINDINGS_PER_RULE) continue;
        findings.push(finding('files-not-in-cab', `FILES lists ${quote(f)} but the CAB holds no such file (it has ${names.length ? shown : 'no files'})`, `put ${f} in the CAB or drop it from FILES`));
      }
      const more = missing - MAX_FINDINGS_PER_RULE;
      if (more > 0) findings.push(finding('files-not-in-cab', `… and ${more} more file${more === 1 ? '' : 's'} FILES lists that the CAB does not hold (only the first ${MAX_FINDINGS_PER_RULE} are listed)`, 'put every file FILES lists in the CAB, or list only what it holds'));
    }
    return findings.length ? [this.result(t, 'upload', ts, findings)] : [];
  }

  private onResponse(ex: Exchange, ts: number): ReportFindings[] {
    this.answeredConns.add(ex.connection.id);
    const res = ex.response!;
    if (ex.request?.head.method === 'PUT') {
      const t = ex.wer?.role === 'upload' ? this.tracked.get(ex.wer.conversation) : undefined;
      if (res.head.status === 200) return [];
      return [this.result(t ?? ConversationChecker.tracked(ex, []), 'upload', ts, [finding('put-not-accepted', `the server answered the CAB upload with ${res.head.status} ${quote(res.head.reason)}`, 'make the server accept the PUT to the DumpFile path with 200')])];
    }
    const t = ex.wer?.role === 'report' ? this.tracked.get(ex.wer.conversation) : undefined;
    if (!t || t.answered) return [];
    this.openByConn.get(ex.connection.id)?.delete(t);
    t.answered = true;
    const findings: Finding[] = [];
    if (res.head.status !== 200) {
      findings.push(finding('answer-not-200', `the server answered the report with ${res.head.status} ${quote(res.head.reason)}, not 200: the report was not accepted`, 'find out why the server rejected it (its log); a CER server answers 200 with Key=value lines'));
    } else {
      const dec = decodedOf(res, ex.request);
      const values = dec.level1?.values;
      if (res.body.length > 0 && !dec.level1) {
        findings.push(finding('answer-not-level1', `the 200 answer's body is ${dec.kind}, not Key=value lines`, 'answer with code-page-1252 lines such as Bucket=…, BucketTable=…, iData=1, DumpFile=…'));
      }
      if (values?.iData === '1' && values.DumpFile) {
        t.dumpFile = values.DumpFile;
        this.awaitingCab.set(ex.wer!.conversation, t);
        this.issuedAny = true;
        ConversationChecker.bound(this.awaitingCab);
      } else if (values?.iData === '1') {
        findings.push(finding('idata-without-dumpfile', 'the answer has iData=1 but no DumpFile: the client has no path to PUT the CAB to', 'add DumpFile=<path> to ask for the CAB (or iData=0 to end after level 1)'));
      } else if (values?.DumpFile) {
        findings.push(finding('dumpfile-without-idata', `the answer gives DumpFile but iData is ${values.iData === undefined ? 'missing' : quote(values.iData)}: the CAB may not be sent`, 'add iData=1 to ask for the CAB'));
      }
    }
    return findings.length ? [this.result(t, 'answer', ts, findings)] : [];
  }

  private onClose(conn: ConnectionInfo, ts: number): ReportFindings[] {
    const open = this.openByConn.get(conn.id);
    this.openByConn.delete(conn.id);
    const out = (open?.inOrder() ?? []).map((t) => this.unansweredResult(t, conn, ts)).filter((r): r is ReportFindings => r !== undefined);
    this.answeredConns.delete(conn.id);
    return out;
  }

  private unansweredResult(t: Tracked, conn: ConnectionInfo, ts: number): ReportFindings | undefined {
    const heard = this.answeredConns.has(conn.id) || conn.bytesFromServer > 0;
    if (!heard && !this.opts.noteMissingAnswers) return undefined;
    return this.result(t, 'end', ts, [heard
      ? finding('no-answer', 'the connection ended without an answer to this report: it was not accepted', 'make the server answer every level-1 POST with 200 and Key=value lines')
      : finding('answer-not-captured', 'no server bytes in this capture, so the answer cannot be checked', 'capture both directions (listen, relay, or a pcap) to check the conversation')]);
  }
}

/**
 * The reports of one connection still waiting for their answer, oldest first. A Set alone
 * would do, but asking a Set for its oldest entry walks past every entry deleted since it
 * last compacted itself: with MAX_TRACKED reports open (a client-only capture), that is
 * thousands of steps per report. Here the order is a list with a moving start, cleaned up as
 * entries are deleted, so finding the oldest costs nothing extra.
 */
class OpenReports {
  private readonly live = new Set<Tracked>();
  private order: Tracked[] = [];
  private start = 0;

  get size(): number {
    return this.live.size;
  }

  /** Each report is added once (a fresh Tracked per request). */
  add(t: Tracked): void {
    if (this.live.has(t)) return;
    this.live.add(t);
    this.order.push(t);
  }

  delete(t: Tracked): void {
    if (!this.live.delete(t)) return;
    // Deleted entries stay in `order` until skipped or compacted: at most as many as live ones.
    if (this.order.length - this.start > 2 * this.live.size + 64) this.compact();
  }

  oldest(): Tracked | undefined {
    while (this.start < this.order.length && !this.live.has(this.order[this.start]!)) this.start++;
    if (this.start > 1024 && this.start * 2 > this.order.length) this.compact();
    return this.order[this.start];
  }

  /** The open reports, oldest first. */
  inOrder(): Tracked[] {
    const out: Tracked[] = [];
    for (let i = this.start; i < this.order.length; i++) if (this.live.has(this.order[i]!)) out.push(this.order[i]!);
    return out;
  }

  private compact(): void {
    this.order = this.inOrder();
    this.start = 0;
  }
}
