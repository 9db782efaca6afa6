// The inspector's JSON API and downloads. Rows, details, buckets, diffs and filters are read
// from the history; downloads are the exact bytes (request as sent, the CAB, each extracted
// file, the session as pcap and HAR). --filter expressions are parsed and evaluated by the
// same code as the command line's, a slice of records per tick so a long history never holds
// the thread that serves sockets.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { CabView } from '../domain/cab/cab-view.js';
import { parseFilter, FilterSyntaxError } from '../analysis/filter/parse.js';
import { evaluateFilter } from '../analysis/filter/evaluate.js';
import { conversationFields } from '../analysis/diff/fields.js';
import { diffFields, isEqual } from '../analysis/diff/compare.js';
import { DEFAULT_DIFF_IGNORE } from '../analysis/diff/ignore.js';
import type { Conversation } from '../analysis/diff/conversation.js';
import type { WebHistory, WebRecord } from './history.js';
import type { SessionFiles } from './session-files.js';
import type { ExtractedCabs } from './cab-files.js';
import type { LiveEvents } from './live-events.js';
import { buildDetail, cabJson, safeJson } from './detail.js';
import { attachment, safeFileName } from './access.js';
import { send } from './server.js';
import type { BucketsReply, DiffReply, RowsReply } from './api-types.js';

export interface ApiOptions {
  history: WebHistory;
  session?: SessionFiles;
  extracted?: ExtractedCabs;
}

/** Records a filter looks at per tick. */
const FILTER_SLICE = 250;
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export class Api {

  constructor(private readonly opts: ApiOptions, private readonly live: LiveEvents) {}

  async handle(url: URL, res: ServerResponse): Promise<void> {
    const p = url.pathname;
    const h = this.opts.history;
    if (p === '/api/rows') {
      const meta: Omit<RowsReply, 'rows'> = { evicted: h.evicted, session: this.opts.session?.sizes() ?? { pcapBytes: 0, harBytes: 0, capped: false } };
      return send(res, 200, JSON_TYPE, `{"rows":${h.rowsJson()},${safeJson(meta).slice(1)}`);
    }
    if (p === '/api/buckets') return send(res, 200, JSON_TYPE, safeJson(this.buckets()));
    if (p === '/api/filter') return this.filter(url.searchParams.get('q') ?? '', res);
    if (p === '/api/diff') return this.diff(Number(url.searchParams.get('a')), Number(url.searchParams.get('b')), res);
    if (p === '/api/session.pcap' || p === '/api/session.har') return this.session(p.endsWith('.har') ? 'har' : 'pcap', res);
    const m = /^\/api\/record\/(\d+)(?:\/(request|cab|file\/(\d+)))?$/.exec(p);
    const rec = m ? h.get(Number(m[1])) : undefined;
    if (!m || !rec) return send(res, 404, TEXT_TYPE, m ? 'no such exchange (it may be older than --web-history keeps)\n' : 'not found\n');
    const id = rec.row.id;
    if (!m[2]) {
      const detail = buildDetail(rec);
      const cab = await this.cabOf(rec);
      if (cab) {
        detail.cab = cabJson(cab.view, cab.source);
        detail.cabFrom = cab.rec.row.id;
        detail.downloads.cab = true;
      }
      return send(res, 200, JSON_TYPE, safeJson(detail));
    }
    if (m[2] === 'request') {
      if (!rec.exact) return send(res, 404, TEXT_TYPE, 'the exact bytes of this request are not held (a chunked body larger than the window, or let go)\n');
      return send(res, 200, 'application/octet-stream', rec.exact, { 'Content-Disposition': attachment(`request-${id}.http`) });
    }
    const bytes = this.cabBytes(rec);
    if (!bytes) return send(res, 404, TEXT_TYPE, 'this exchange has no CAB held\n');
    if (m[2] === 'cab') return send(res, 200, 'application/vnd.ms-cab-compressed', bytes.data, { 'Content-Disposition': attachment(`report-${bytes.rec.row.id}.cab`) });
    const index = Number(m[3]);
    const view = (await this.cabOf(rec))?.view;
    const file = view?.cab.files[index];
    if (!file || !this.opts.extracted) return send(res, 404, TEXT_TYPE, 'no such file in the CAB\n');
    const got = await this.opts.extracted.file(`r${bytes.rec.row.id}`, () => this.cabBytes(rec)?.data, file.name);
    if (!got.path) return send(res, 404, TEXT_TYPE, `not extracted: ${got.error}\n`);
    return send(res, 200, 'application/octet-stream', fs.readFileSync(got.path), { 'Content-Disposition': attachment(safeFileName(file.name, `file-${index}`)) });
  }

  /** The record holding the CAB of a report or upload, and its view. */
  private async cabOf(rec: WebRecord): Promise<{ rec: WebRecord; view: CabView; source: 'upload' } | undefined> {
    const h = this.opts.history;
    const up = rec.cabView ? rec : rec.row.linked !== undefined ? h.get(rec.row.linked) : undefined;
    return up?.cabView ? { rec: up, view: up.cabView, source: 'upload' } : undefined;
  }

  private cabBytes(rec: WebRecord): { rec: WebRecord; data: Buffer } | undefined {
    const h = this.opts.history;
    for (const r of [rec, rec.row.linked !== undefined ? h.get(rec.row.linked) : undefined]) {
      if (r?.row.kind === 'upload' && r.exchange.request?.body.data) return { rec: r, data: r.exchange.request.body.data };
    }
    return undefined;
  }

  private buckets(): BucketsReply {
    const s = this.opts.history.buckets.stats();
    const index = this.opts.history.bucketIndexOf.bind(this.opts.history);
    return {
      reports: s.reports, other: s.other,
      buckets: s.buckets.map((b) => ({
        index: index(b.key) ?? -1, count: b.count, event: b.event, app: b.app, version: b.version, code: b.code, module: b.module, offset: b.offset,
        firstSeen: b.firstSeen, lastSeen: b.lastSeen, machines: b.machines.size + b.moreMachines,
      })),
    };
  }

  private async filter(q: string, res: ServerResponse): Promise<void> {
    let filter;
    try {
      filter = parseFilter(q);
    } catch (err) {
      if (err instanceof FilterSyntaxError) return send(res, 200, JSON_TYPE, safeJson({ error: err.message }));
      throw err;
    }
    const records = [...this.opts.history.all()];
    const ids: number[] = [];
    for (let i = 0; i < records.length; i += FILTER_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const r of records.slice(i, i + FILTER_SLICE)) {
        if (evaluateFilter(filter, { connection: r.exchange.connection, exchange: r.exchange, final: true }) === true) ids.push(r.row.id);
      }
    }
    return send(res, 200, JSON_TYPE, JSON.stringify({ ids }));
  }

  private conversation(id: number): Conversation | undefined {
    const h = this.opts.history;
    let rec = h.get(id);
    if (rec?.row.kind === 'upload' && rec.row.linked !== undefined) rec = h.get(rec.row.linked);
    if (!rec || rec.row.kind !== 'report') return undefined;
    const up = rec.row.linked !== undefined ? h.get(rec.row.linked) : undefined;
    const conv: Conversation = { label: `#${rec.row.id}`, report: rec.exchange };
    if (up) conv.upload = up.exchange;
    if (up?.cabView) conv.cabFiles = up.cabView.cab.files.map((f) => ({ name: f.name, size: f.size }));
    return conv;
  }

  private diff(a: number, b: number, res: ServerResponse): void {
    const ca = this.conversation(a);
    const cb = this.conversation(b);
    if (!ca || !cb) return send(res, 404, TEXT_TYPE, 'pick two reports that are still in the history\n');
    const rows = diffFields(conversationFields(ca), conversationFields(cb), DEFAULT_DIFF_IGNORE);
    const reply: DiffReply = { a, b, equal: isEqual(rows), rows };
    return send(res, 200, JSON_TYPE, safeJson(reply));
  }

  private session(kind: 'pcap' | 'har', res: ServerResponse): void {
    const s = this.opts.session;
    if (!s) return send(res, 404, TEXT_TYPE, 'no session files in this run\n');
    const d: { file: string; bytes: number; tail?: string } | { error: string } = kind === 'pcap' ? s.pcapDownload() : s.harDownload();
    if ('error' in d) return send(res, 503, TEXT_TYPE, `${d.error}\n`);
    const tail = Buffer.from(d.tail ?? '');
    res.writeHead(200, {
      'Content-Type': kind === 'pcap' ? 'application/vnd.tcpdump.pcap' : 'application/json; charset=utf-8',
      'Content-Length': d.bytes + tail.length,
      'Content-Disposition': attachment(`wer-sniff-session.${kind}`),
      ...(s.capped ? { 'X-Wer-Sniff-Note': 'session longer than the inspector keeps: the first part only' } : {}),
    });
    if (res.req.method === 'HEAD') return void res.end();
    if (d.bytes === 0) return void res.end(tail);
    const stream = fs.createReadStream(d.file, { start: 0, end: d.bytes - 1 });
    stream.on('error', () => res.destroy());
    stream.on('end', () => res.end(tail));
    stream.pipe(res, { end: false });
  }

  get pages(): number {
    return this.live.count;
  }
}
