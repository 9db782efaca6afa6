// What the inspector remembers: one record per exchange, in arrival order, for the last
// `limit` exchanges (--web-history); older ones are only counted. The records hold their
// exchanges (bodies included) while the bytes held stay within `budget`: past it the oldest
// records let their bodies go first (their rows, heads and findings stay), then whole records
// go. So memory is bounded by both the count and the bytes, whatever clients send. Pure: no
// I/O; the sink feeds it events, the server reads it.
import type { Exchange, HttpMessage } from '../model.js';
import type { CabView } from '../domain/cab/cab-view.js';
import { isLevel1Request } from '../domain/server/cer-server.js';
import { normalizeDumpTarget } from '../domain/server/level1-answer.js';
import { reportFacts } from '../analysis/fleet/signature.js';
import { BucketCounter, MAX_BUCKETS } from '../analysis/fleet/buckets.js';
import { requestViewOf, viewOf, type StagedFinding } from './view-of.js';
import type { Row, RowsReply } from './api-types.js';
import { safeJson } from './safe-json.js';

/** --web-history default: exchanges kept for the page. */
export const DEFAULT_WEB_HISTORY = 10_000;
/** Bytes of exchanges (heads, bodies, exact request bytes) the history holds at most. */
export const DEFAULT_WEB_BUDGET = 256 * 1024 * 1024;
/** Findings kept per record (a hostile report can make many). */
const MAX_FINDINGS = 200;

export interface WebRecord {
  row: Row;
  exchange: Exchange;
  /** Bytes this record holds (counted against the budget). */
  held: number;
  /** The request exactly as it came over the wire, when it was seen whole. */
  exact?: Buffer;
  cabView?: CabView;
  findings: StagedFinding[];
  /** The row as JSON (escaped), for the row's version `jsonV`: made once per change. */
  json?: string;
  jsonV?: number;
}

export type RowListener = (row: Row, rec: WebRecord) => void;

export class WebHistory {
  private readonly records = new Map<number, WebRecord>();
  private readonly byExchange = new WeakMap<Exchange, number>();
  private readonly byKey = new Map<string, number>();
  private readonly byReportId = new Map<string, number>();
  private readonly byDump = new Map<string, number>();
  private readonly bucketIndex = new Map<string, number>();
  readonly buckets = new BucketCounter();
  private nextId = 1;
  private version = 0;
  private heldBytes = 0;
  /** Records whose bodies may still be let go, oldest first (ids). */
  private readonly withBodies = new Set<number>();
  readonly evicted: RowsReply['evicted'] = { exchanges: 0, reports: 0, bytes: 0 };
  private readonly listeners = new Set<RowListener>();

  constructor(readonly limit = DEFAULT_WEB_HISTORY, readonly budget = DEFAULT_WEB_BUDGET) {}

  onRow(l: RowListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get held(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.records.size;
  }

  get(id: number): WebRecord | undefined {
    return this.records.get(id);
  }

  rows(): Row[] {
    return [...this.records.values()].map((r) => r.row);
  }

  /** Every row as a JSON array, escaped; each row is serialised once per change. */
  rowsJson(): string {
    const parts: string[] = [];
    for (const rec of this.records.values()) parts.push(rowJson(rec));
    return `[${parts.join(',')}]`;
  }

  all(): IterableIterator<WebRecord> {
    return this.records.values();
  }

  /** The index rows carry for a bucket's signature key. */
  bucketIndexOf(key: string): number | undefined {
    return this.bucketIndex.get(key);
  }

  /** The record of an exchange, made on first sight (request, or a response without one). */
  see(ex: Exchange, ts: number, exact?: Buffer): WebRecord {
    const known = this.byExchange.get(ex);
    const rec = known === undefined ? undefined : this.records.get(known);
    if (rec) {
      this.refresh(rec);
      return rec;
    }
    return this.create(ex, ts, exact);
  }

  private create(ex: Exchange, ts: number, exact?: Buffer): WebRecord {
    const id = this.nextId++;
    const req = ex.request;
    const row: Row = {
      id, v: ++this.version, ts, conn: ex.connection.id, seq: ex.seq, peer: ex.connection.peer,
      method: req?.head.method ?? '', target: req?.head.target ?? '', kind: 'other',
      size: req?.body.length ?? 0, findings: { error: 0, warning: 0, note: 0 }, problems: ex.problems.length,
    };
    if (ex.reportId) row.reportId = ex.reportId;
    const rec: WebRecord = { row, exchange: ex, held: 0, findings: [] };
    if (exact) rec.exact = exact;
    this.describe(rec);
    this.records.set(id, rec);
    this.byExchange.set(ex, id);
    this.byKey.set(`${ex.connection.id}:${ex.seq}`, id);
    this.withBodies.add(id);
    this.account(rec);
    this.emit(row);
    this.trim();
    return rec;
  }

  /** The report facts of a level-1 request; an upload's link to its report. */
  private describe(rec: WebRecord): void {
    const ex = rec.exchange;
    const req = ex.request;
    if (!req) return;
    if (req.head.method === 'PUT') {
      rec.row.kind = 'upload';
      const byId = ex.reportId ? this.byReportId.get(ex.reportId) : undefined;
      const reportRec = this.records.get(byId ?? this.byDump.get(normalizeDumpTarget(req.head.target)) ?? -1);
      if (reportRec) this.link(reportRec, rec);
      return;
    }
    const report = isLevel1Request(req.head) || req.body.length > 0 ? requestViewOf(ex)?.report : undefined;
    if (!report) return;
    rec.row.kind = 'report';
    const facts = reportFacts(report);
    if (report.machine?.name) rec.row.machine = report.machine.name;
    if (facts.event) rec.row.event = facts.event;
    if (facts.app) rec.row.app = facts.app;
    if (facts.code) rec.row.exception = facts.code;
    this.buckets.add(facts, req.startTs);
    let bucket = this.bucketIndex.get(facts.key);
    if (bucket === undefined && this.bucketIndex.size < MAX_BUCKETS) this.bucketIndex.set(facts.key, (bucket = this.bucketIndex.size));
    if (bucket !== undefined) rec.row.bucket = bucket;
    if (ex.reportId) this.byReportId.set(ex.reportId, rec.row.id);
  }

  private link(report: WebRecord, upload: WebRecord): void {
    report.row.linked = upload.row.id;
    upload.row.linked = report.row.id;
    for (const k of ['machine', 'event', 'app', 'exception', 'bucket', 'reportId'] as const) {
      if (report.row[k] !== undefined && upload.row[k] === undefined) (upload.row as unknown as Record<string, unknown>)[k] = report.row[k];
    }
    report.row.v = ++this.version;
    this.emit(report.row);
  }

  /** A response (or more problems) arrived for a known exchange. */
  private refresh(rec: WebRecord): void {
    const ex = rec.exchange;
    const res = ex.response;
    if (res) rec.row.status = res.head.status;
    rec.row.problems = ex.problems.length;
    // A level-1 answer names the DumpFile its upload will be PUT to (offline, where no
    // report id pairs them).
    if (rec.row.kind === 'report' && res && ex.request) {
      const dump = viewOf(ex).response?.level1?.values.DumpFile;
      if (dump) {
        this.byDump.set(normalizeDumpTarget(dump), rec.row.id);
        if (this.byDump.size > this.limit) this.byDump.delete(this.byDump.keys().next().value!);
      }
    }
    this.account(rec);
    rec.row.v = ++this.version;
    this.emit(rec.row);
    this.trim();
  }

  /** Findings about the report whose exchange is `key` (`conn:seq`). */
  addFindings(key: string, findings: StagedFinding[]): void {
    const rec = this.records.get(this.byKey.get(key) ?? -1);
    if (!rec) return;
    for (const f of findings) {
      if (rec.findings.length >= MAX_FINDINGS) break;
      rec.findings.push(f);
      rec.row.findings[f.severity]++;
    }
    rec.row.v = ++this.version;
    this.emit(rec.row);
  }

  setCabView(rec: WebRecord, view: CabView): void {
    if (rec.row.dropped) return;
    rec.cabView = view;
  }

  /** Re-counts what a record holds after it changed (a response came). */
  private account(rec: WebRecord): void {
    const before = rec.held;
    rec.held = rec.row.dropped ? headBytes(rec.exchange) : holdBytes(rec.exchange) + (rec.exact?.length ?? 0);
    this.heldBytes += rec.held - before;
  }

  /** Keeps within the count and the budget. */
  private trim(): void {
    while (this.records.size > this.limit) this.evictOldest();
    while (this.heldBytes > this.budget && this.withBodies.size) {
      const oldest = this.withBodies.values().next().value!;
      this.withBodies.delete(oldest);
      this.dropBodies(oldest);
    }
    while (this.heldBytes > this.budget && this.records.size > 1) this.evictOldest();
  }

  private dropBodies(id: number): void {
    const rec = this.records.get(id);
    if (!rec || rec.row.dropped) return;
    rec.row.dropped = true;
    rec.exchange = stripped(rec.exchange);
    rec.exact = undefined;
    rec.cabView = undefined;
    this.account(rec);
    rec.row.v = ++this.version;
    this.emit(rec.row);
  }

  private evictOldest(): void {
    const [id, rec] = this.records.entries().next().value!;
    this.records.delete(id);
    this.byKey.delete(`${rec.row.conn}:${rec.row.seq}`);
    if (rec.row.reportId && this.byReportId.get(rec.row.reportId) === id) this.byReportId.delete(rec.row.reportId);
    this.heldBytes -= rec.held;
    const e = this.evicted;
    e.exchanges++;
    if (rec.row.kind === 'report') e.reports++;
    e.bytes += rec.row.size;
    e.firstTs ??= rec.row.ts;
    e.lastTs = rec.row.ts;
    this.withBodies.delete(id);
  }

  private emit(row: Row): void {
    if (this.listeners.size === 0) return;
    const rec = this.records.get(row.id);
    if (rec) for (const l of this.listeners) l(row, rec);
  }
}

/** The record's row as escaped JSON, cached until the row changes. */
export function rowJson(rec: WebRecord): string {
  if (rec.jsonV !== rec.row.v || rec.json === undefined) {
    rec.json = safeJson(rec.row);
    rec.jsonV = rec.row.v;
  }
  return rec.json;
}

function messageBytes(m: HttpMessage | undefined, withBody: boolean): number {
  if (!m) return 0;
  return m.head.raw.length + m.body.head.length + (withBody ? m.body.data?.length ?? 0 : 0);
}

function holdBytes(ex: Exchange): number {
  let n = messageBytes(ex.request, true) + messageBytes(ex.response, true);
  for (const r of ex.interim) n += messageBytes(r, false);
  return n;
}

function headBytes(ex: Exchange): number {
  let n = messageBytes(ex.request, false) + messageBytes(ex.response, false);
  for (const r of ex.interim) n += messageBytes(r, false);
  return n;
}

/** Bytes of a body's first bytes kept once its body is let go (for the detail's hexdump). */
const KEPT_HEAD_BYTES = 256;

/** A copy of the exchange without body bytes (the original may still be shared). The kept
 * first bytes are a copy: a slice would keep the whole body's memory alive. */
function stripped(ex: Exchange): Exchange {
  const strip = <M extends HttpMessage>(m: M | undefined): M | undefined =>
    (m ? { ...m, body: { ...m.body, data: undefined, headOnly: undefined, head: Buffer.from(m.body.head.subarray(0, KEPT_HEAD_BYTES)) } } : undefined);
  return { ...ex, request: strip(ex.request), response: strip(ex.response) };
}
