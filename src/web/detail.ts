// The detail of one exchange for the page: heads, bodies (pretty XML, raw text, hexdump), the
// crash summary, findings, the level-1 answer explained, the CAB (listing, minidumps, text
// files). Text comes from the same formatters as the terminal view (render/, plain paint), so
// the page and `-v` say the same; every string is escaped again when the JSON is written
// (safeJson). Pure: a record in, a plain object out.
import type { Header, HttpMessage, Request } from '../model.js';
import type { CabView } from '../domain/cab/cab-view.js';
import type { MessageDecoding } from '../domain/body/message.js';
import { plainPaint } from '../render/paint.js';
import { formatXml } from '../render/format-xml.js';
import { formatWerReport } from '../render/format-report.js';
import { formatLevel1Response, notKept } from '../render/format-body.js';
import { formatHexdump } from '../render/hexdump.js';
import { formatCabView } from '../render/format-cab-view.js';
import { viewOf } from './view-of.js';
import type { WebRecord } from './history.js';
import type { BodyJson, CabJson, DetailReply, MessageJson } from './api-types.js';

/** Lines of decoded text sent at most per body. */
export const MAX_TEXT_LINES = 5000;
/** Bytes of a binary body shown as a hexdump. */
export const MAX_HEX_BYTES = 64 * 1024;

export { safeJson } from './safe-json.js';

function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

function headLine(m: HttpMessage): string {
  const h = m.head;
  return h.kind === 'request' ? `${h.method} ${h.target} ${h.version}` : `${h.version} ${h.status} ${h.reason}`;
}

function bodyJson(m: HttpMessage, dec: MessageDecoding | undefined): BodyJson {
  const b = m.body;
  const out: BodyJson = { size: b.length, sha256: b.sha256, complete: b.complete, framing: b.framing, notes: [] };
  if (!b.data && !b.headOnly) {
    if (b.length > 0) out.notes.push('body not held in memory (larger than --max-body-bytes, or let go by the inspector\'s memory budget)');
    if (b.length > 0) out.hex = formatHexdump(b.head, {}, plainPaint);
    return out;
  }
  if (!dec) return out;
  out.kind = dec.kind;
  if (dec.charset) out.charset = `${dec.charset.name} (${dec.charset.rule})`;
  out.notes = [...dec.notes];
  if (dec.failure) out.notes.push(`${dec.failure.view} view failed: ${dec.failure.message}`);
  if (dec.xml && (dec.kind === 'wer-report' || dec.kind === 'xml')) out.pretty = formatXml(dec.xml, plainPaint);
  if (b.headOnly) out.notes.push(notKept(b, dec));
  if (dec.kind === 'binary') out.hex = formatHexdump(b.data ?? b.head, { maxBytes: MAX_HEX_BYTES }, plainPaint);
  else if (dec.text !== undefined) {
    const all = lines(dec.text);
    out.raw = all.slice(0, MAX_TEXT_LINES);
    if (all.length > MAX_TEXT_LINES) out.moreLines = all.length - MAX_TEXT_LINES;
  }
  return out;
}

function messageJson(m: HttpMessage, dec: MessageDecoding | undefined): MessageJson {
  return { line: headLine(m), headers: m.head.headers.map((h: Header) => [h[0], h[1]]), body: bodyJson(m, dec) };
}

export function cabJson(view: CabView, source: CabJson['source']): CabJson {
  const files = view.cab.files.map((f, i) => {
    const e = view.entries[i];
    return { index: i, name: f.name, size: f.size, date: f.date, ...(e ? { kind: e.kind } : {}), ...(e?.error ? { error: e.error.message } : {}) };
  });
  const minidumps = view.entries.filter((e) => e.minidump).map((e) => ({ name: e.name, summary: e.minidump! }));
  const texts = view.entries.flatMap((e, i) => (e.text ? [{ index: i, name: e.name, charset: e.text.charset, lines: e.text.lines, totalLines: e.text.totalLines }] : []));
  return { files, lines: formatCabView(view, plainPaint), minidumps, texts, source };
}

export function buildDetail(rec: WebRecord): DetailReply {
  const ex = rec.exchange;
  const view = viewOf(ex);
  const out: DetailReply = {
    row: rec.row, local: ex.connection.local, findings: rec.findings,
    problems: ex.problems.map((p) => ({ code: p.code, message: p.message })),
    downloads: { request: Boolean(rec.exact), cab: false },
  };
  if (ex.connection.upstream) out.upstream = ex.connection.upstream;
  if (rec.row.dropped) out.dropped = 'the bodies of this exchange were let go to keep the inspector within its memory budget; its row, heads and findings stay';
  const req: Request | undefined = ex.request;
  if (req) out.request = messageJson(req, view.request);
  if (ex.response) out.response = messageJson(ex.response, view.response);
  const report = view.request?.report;
  if (report) out.summary = formatWerReport(report, plainPaint);
  const level1 = view.response?.level1;
  if (level1) out.answer = formatLevel1Response(level1, plainPaint);
  return out;
}
