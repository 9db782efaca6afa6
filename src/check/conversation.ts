// Checks whole conversations from the event stream every output sees: each level-1 report on
// its own (check-level1.ts), then what happened to it — the server's answer (status, Key=value
// body, iData/DumpFile), the level-2 PUT (to the issued path? complete? a CAB? holding the
// FILES the report listed?), and at the end of a connection or run what never came. PUTs are
// paired with reports by the DumpFile the answer issued (the way Windows finds the path,
// MS-CER2 §2.2.3), so it works live, through a relay and offline alike. Pure: timestamps
// come from the events; it only reads the exchanges it is shown.
import type { CaptureEvent, ConnectionInfo, Exchange, RequestHead } from '../model.js';
import { decodeMessage } from '../decode/message.js';
import { isLevel1Request } from '../wer/cer-server.js';
import { normalizeDumpTarget } from '../wer/level1-answer.js';
import { checkLevel1 } from './check-level1.js';
import { finding, sortFindings, type Finding } from './rules.js';
import { quote } from './check-structure.js';

/** Findings about one report (or one unpaired PUT), and when they were found. */
export interface ReportFindings {
  ts: number;
  /** The connection and exchange of the level-1 report (of the PUT when unpaired). */
  connection: ConnectionInfo;
  seq: number;
  reportId?: string;
  /** `report`: the request itself; `answer`: the server's answer; `upload`: the PUT;
   * `end`: what never came by the end of the connection or run. */
  stage: 'report' | 'answer' | 'upload' | 'end';
  exchange: Exchange;
  findings: Finding[];
}

interface Tracked {
  exchange: Exchange;
  /** FILE names the report listed. */
  files: string[];
  answered: boolean;
  dumpFile?: string;
  uploaded: boolean;
}

/** Reports remembered while waiting for their answer or CAB; the oldest are forgotten. */
export const MAX_TRACKED = 10_000;

/** Whether a request carries a level-1 report (by path, or by a <WERREPORT> body). */
export function isReportRequest(head: RequestHead, ex: Exchange): boolean {
  if (isLevel1Request(head)) return true;
  if (head.method === 'PUT' || !ex.request || ex.request.body.length === 0) return false;
  return decodeMessage(ex.request).kind === 'wer-report';
}

/** A CAB entry holds a listed file when the names match, also with Windows' `WERxxxx.tmp.` prefix. */
export function cabHoldsFile(cabNames: readonly string[], file: string): boolean {
  const want = file.toLowerCase();
  return cabNames.some((n) => {
    const name = n.toLowerCase().split(/[\\/]/).pop() ?? '';
    return name === want || name.endsWith('.' + want);
  });
}

export class ConversationChecker {
  private readonly reports = new Map<Exchange, Tracked>();
  private readonly byDump = new Map<string, Tracked>();
  private readonly puts = new Map<Exchange, Tracked | undefined>();
  private readonly answeredConns = new Set<number>();

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
    for (const t of this.reports.values()) {
      if (t.dumpFile !== undefined && !t.uploaded) {
        out.push(this.result(t.exchange, 'end', ts, [finding('cab-not-uploaded', `the server asked for the CAB at ${quote(t.dumpFile, 160)} (iData=1) and no PUT to it came before the capture ended`, 'check that the client can reach the server for level 2 and that DumpFile is a path it can PUT to')]));
      }
    }
    this.reports.clear();
    this.byDump.clear();
    return out;
  }

  private result(ex: Exchange, stage: ReportFindings['stage'], ts: number, findings: Finding[]): ReportFindings {
    const r: ReportFindings = { ts, connection: ex.connection, seq: ex.seq, stage, exchange: ex, findings: sortFindings(findings) };
    if (ex.reportId !== undefined) r.reportId = ex.reportId;
    return r;
  }

  private track(ex: Exchange, files: string[]): void {
    this.reports.set(ex, { exchange: ex, files, answered: false, uploaded: false });
    if (this.reports.size > MAX_TRACKED) this.forget(this.reports.keys().next().value!);
  }

  private forget(ex: Exchange): void {
    const t = this.reports.get(ex);
    this.reports.delete(ex);
    if (t?.dumpFile !== undefined && this.byDump.get(normalizeDumpTarget(t.dumpFile)) === t) this.byDump.delete(normalizeDumpTarget(t.dumpFile));
  }

  private onRequest(ex: Exchange, ts: number): ReportFindings[] {
    const req = ex.request;
    if (!req) return [];
    if (req.head.method === 'PUT') return this.onPut(ex, ts);
    if (!isReportRequest(req.head, ex)) return [];
    const dec = decodeMessage(req);
    const findings = checkLevel1({ head: req.head, body: req.body, decoding: dec, problems: ex.problems, now: ts });
    this.track(ex, dec.report?.files.map((f) => f.name).filter((n) => n !== '') ?? []);
    return [this.result(ex, 'report', ts, findings)];
  }

  private onPut(ex: Exchange, ts: number): ReportFindings[] {
    const req = ex.request!;
    const key = normalizeDumpTarget(req.head.target);
    const t = this.byDump.get(key);
    if (!t) {
      // Reports on this connection still waiting for their CAB: the PUT was meant for one.
      const waiting = [...this.reports.values()].filter((r) => r.dumpFile !== undefined && !r.uploaded && r.exchange.connection.id === ex.connection.id);
      const last = waiting[waiting.length - 1];
      this.puts.set(ex, last);
      if (last) {
        return [this.result(last.exchange, 'upload', ts, [finding('put-path-not-issued', `the CAB was PUT to ${quote(req.head.target, 160)}, but the server issued DumpFile ${quote(last.dumpFile!, 160)}`, 'PUT the CAB to exactly the DumpFile path of the level-1 answer')])];
      }
      const anyIssued = this.byDump.size > 0;
      return [this.result(ex, 'upload', ts, [anyIssued
        ? finding('put-path-not-issued', `PUT to ${quote(req.head.target, 160)}, a path no level-1 answer issued as DumpFile`, 'PUT the CAB to exactly the DumpFile path of the level-1 answer')
        : finding('put-unpaired', `PUT to ${quote(req.head.target, 160)}: the level-1 answer that issued it is not in this capture`, 'capture the level-1 report and its answer too to check the upload against them')])];
    }
    t.uploaded = true;
    this.puts.set(ex, t);
    const findings: Finding[] = [];
    if (!req.body.complete) {
      findings.push(finding('put-incomplete', `the CAB upload ended after ${req.body.length} bytes, before the body was complete`, 'let the upload finish; check the connection and any size limit on the server'));
    } else if (req.body.data) {
      const dec = decodeMessage(req);
      if (!dec.cab) {
        findings.push(finding('put-not-cab', `the level-2 upload (${req.body.length} bytes, ${dec.kind}) is not a CAB`, 'upload the report files packed in one .cab, as Windows does'));
      } else {
        const names = dec.cab.cab.files.map((f) => f.name);
        const missing = t.files.filter((f) => !cabHoldsFile(names, f));
        for (const f of missing) {
          findings.push(finding('files-not-in-cab', `FILES lists ${quote(f)} but the CAB holds no such file (it has ${names.length ? names.map((n) => quote(n)).join(', ') : 'no files'})`, `put ${f} in the CAB or drop it from FILES`));
        }
      }
    }
    return findings.length ? [this.result(t.exchange, 'upload', ts, findings)] : [];
  }

  private onResponse(ex: Exchange, ts: number): ReportFindings[] {
    this.answeredConns.add(ex.connection.id);
    const res = ex.response!;
    if (this.puts.has(ex)) {
      const t = this.puts.get(ex);
      this.puts.delete(ex);
      if (res.head.status === 200) return [];
      return [this.result(t?.exchange ?? ex, 'upload', ts, [finding('put-not-accepted', `the server answered the CAB upload with ${res.head.status} ${quote(res.head.reason)}`, 'make the server accept the PUT to the DumpFile path with 200')])];
    }
    const t = this.reports.get(ex);
    if (!t) return [];
    t.answered = true;
    const findings: Finding[] = [];
    if (res.head.status !== 200) {
      findings.push(finding('answer-not-200', `the server answered the report with ${res.head.status} ${quote(res.head.reason)}, not 200: the report was not accepted`, 'find out why the server rejected it (its log); a CER server answers 200 with Key=value lines'));
    } else {
      const dec = decodeMessage(res, ex.request);
      const values = dec.level1?.values;
      if (res.body.length > 0 && !dec.level1) {
        findings.push(finding('answer-not-level1', `the 200 answer's body is ${dec.kind}, not Key=value lines`, 'answer with code-page-1252 lines such as Bucket=…, BucketTable=…, iData=1, DumpFile=…'));
      }
      if (values?.iData === '1' && values.DumpFile) {
        t.dumpFile = values.DumpFile;
        this.byDump.set(normalizeDumpTarget(values.DumpFile), t);
      } else if (values?.iData === '1') {
        findings.push(finding('idata-without-dumpfile', 'the answer has iData=1 but no DumpFile: the client has no path to PUT the CAB to', 'add DumpFile=<path> to ask for the CAB (or iData=0 to end after level 1)'));
      } else if (values?.DumpFile) {
        findings.push(finding('dumpfile-without-idata', `the answer gives DumpFile but iData is ${values.iData === undefined ? 'missing' : quote(values.iData)}: the CAB may not be sent`, 'add iData=1 to ask for the CAB'));
      }
    }
    if (t.dumpFile === undefined) this.forget(ex);
    return findings.length ? [this.result(ex, 'answer', ts, findings)] : [];
  }

  private onClose(conn: ConnectionInfo, ts: number): ReportFindings[] {
    const out: ReportFindings[] = [];
    const heard = this.answeredConns.has(conn.id) || conn.bytesFromServer > 0;
    this.answeredConns.delete(conn.id);
    for (const t of [...this.reports.values()]) {
      if (t.answered || t.exchange.connection.id !== conn.id) continue;
      this.forget(t.exchange);
      out.push(this.result(t.exchange, 'end', ts, [heard
        ? finding('no-answer', 'the connection ended without an answer to this report: it was not accepted', 'make the server answer every level-1 POST with 200 and Key=value lines')
        : finding('answer-not-captured', 'no server bytes in this capture, so the answer cannot be checked', 'capture both directions (listen, relay, or a pcap) to check the conversation')]));
    }
    for (const [put] of this.puts) if (put.connection.id === conn.id) this.puts.delete(put);
    return out;
  }
}
