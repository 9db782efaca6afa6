// The human view: one block per event, each written whole (batched with its neighbours by
// BatchWriter) so that concurrent connections never interleave mid-message. Every string that came from the wire goes through
// escapeControl; colour comes from the Paint chosen once by the CLI. How much it shows is the
// verbosity: -1 (`-q`) and 0 (default) are the one-line view of compact.ts; 1 (`-v`) the
// crash summary, findings, the answer explained, CAB listing and minidump; 2 (`-vv`) adds
// headers; 3 (`-vvv`) adds bodies (XML, text, hexdumps).
import { once } from 'node:events';
import { drainOf } from './drain.js';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Exchange, Header, HttpMessage, Sink } from '../model.js';
import type { Paint } from '../render/paint.js';
import { append } from '../util/append.js';
import { escapeControl, escapeBytes } from '../util/escape.js';
import { formatBody } from '../render/format-body.js';
import { decodedOf } from '../domain/body/message.js';
import { formatSize } from '../util/size.js';
import { formatCabView } from '../render/format-cab-view.js';
import { BatchWriter } from './batch-writer.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import { formatFindings, formatLateFindings } from '../render/format-findings.js';
import { CompactView, type CompactOptions } from '../render/compact.js';

export interface PrettyOptions {
  paint: Paint;
  hexDump: boolean;
  /** Show wall-clock times (live); offline decode has none worth showing. */
  times: boolean;
  maxTextLines?: number;
  /** --redact: no hexdumps of bodies (see FormatBodyOptions.omitBinary). */
  omitBinary?: boolean;
  /** -1 quiet … 3 everything (see the top of this file); default 3. */
  verbosity?: number;
  /** Terminal columns the one-line view fits into; undefined = never cut. */
  width?: number;
  /** `--save-dir`: where an exchange's report was saved (the one-line view names it). */
  savedIn?: CompactOptions['savedIn'];
}

const INDENT = '    ';

export class PrettySink implements Sink {
  private readonly batch: BatchWriter;
  /** The one-line view (verbosity 0 and -1). */
  private readonly compact?: CompactView;

  constructor(private readonly out: Writable, private readonly opts: PrettyOptions) {
    this.batch = new BatchWriter(out);
    const level = opts.verbosity ?? 3;
    if (level <= 0) {
      this.compact = new CompactView(
        { paint: opts.paint, times: opts.times, width: opts.width, quiet: level < 0, savedIn: opts.savedIn },
        (lines) => this.batch.write(lines.join('\n'), true),
      );
    }
  }

  /** The event's check findings (`ev.findings`) are shown with it. */
  event(ev: CaptureEvent): void {
    if (this.compact) return this.compact.event(ev, ev.findings);
    const lines = formatEvent(ev, this.opts, ev.findings);
    if (lines.length) this.batch.write(lines.join('\n'), true);
  }

  /** Findings that arrive without an event (the end of the run). */
  findings(found: ReportFindings[]): void {
    if (this.compact) return this.compact.findings(found);
    for (const r of found) this.batch.write(formatLateFindings(r, this.opts.paint).join('\n'), true);
  }

  /** Asked after every chunk: it does not flush the batch (that would be one write per chunk;
   * the batch is written once the current task is done, or when full). */
  waitDrain(): Promise<void> | null {
    return drainOf(this.out);
  }

  async close(): Promise<void> {
    this.compact?.flush();
    this.batch.flush();
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}

export function formatEvent(ev: CaptureEvent, opts: PrettyOptions, found?: ReportFindings[]): string[] {
  const lines = formatEventOnly(ev, opts, found);
  for (const r of found ?? []) {
    if (r.stage !== 'report' || ev.type !== 'request' || r.exchange !== ev.exchange) {
      if (r.findings.length) append(lines, formatLateFindings(r, opts.paint));
    }
  }
  return lines;
}

function formatEventOnly(ev: CaptureEvent, opts: PrettyOptions, found?: ReportFindings[]): string[] {
  const p = opts.paint;
  const c = ev.connection;
  const id = p.accent(`#${c.id}`);
  const time = opts.times ? p.dim(clock(ev.ts)) + ' ' : '';
  switch (ev.type) {
    case 'open': {
      if (!opts.times) return [`${id} ${p.bold(escapeControl(c.peer, p))}`];
      const via = c.upstream ? ` → ${escapeControl(c.upstream, p)}` : '';
      return [`${time}${id} ${p.bold(escapeControl(c.peer, p))} connected${c.tls ? ' (TLS)' : ''}${via}`];
    }
    case 'close': {
      if (!opts.times) return [p.dim(`${id} end of input · ${formatSize(c.bytesFromClient)}`)];
      const why = ev.reason ? ` (${escapeControl(ev.reason, p)})` : '';
      return [`${time}${id} closed${why} · ${formatSize(c.bytesFromClient)} from client · ${formatSize(c.bytesFromServer)} from server`];
    }
    case 'problem': {
      const pr = ev.problem;
      return [`${time}${id} ${p.err('problem')} ${p.err(pr.code)} (${pr.source} byte ${pr.offset}): ${escapeControl(pr.message, p)}`];
    }
    case 'raw': {
      const lines = [`${time}${id} ${p.warn(`raw ${ev.source} bytes`)} ${ev.bytes.length} at offset ${ev.offset} (not HTTP, shown escaped):`];
      return lines.concat(escapeBytes(ev.bytes.subarray(0, 4096), p, { keepNewlines: true }).split('\n').map((l) => INDENT + l),
        ev.bytes.length > 4096 ? [INDENT + p.dim(`… ${ev.bytes.length - 4096} more bytes`)] : []);
    }
    case 'refused': // already one stderr line (lifecycle.ts); stdout keeps to accepted traffic
      return [];
    case 'request':
      return formatRequest(ev.exchange, opts, time, found?.find((r) => r.stage === 'report' && r.exchange === ev.exchange));
    case 'response':
      return formatResponse(ev.exchange, opts, time);
    case 'interim': {
      const r = ev.response.head;
      const to = ev.exchange.request;
      // Usually sent before the request's body has arrived (Expect: 100-continue).
      const what = p.dim(to ? ` ← ${escapeControl(to.head.method, p)} ${escapeControl(to.head.target.slice(0, 80), p)}` : ` ← request ${ev.exchange.seq}, body still arriving`);
      return [`${time}${id} ${p.bold('◀')} ${p.dim(`${r.status} ${escapeControl(r.reason, p)} (interim)`)}${what}`];
    }
  }
}

function reportTag(ex: Exchange, p: Paint): string {
  return ex.reportId ? ' ' + p.accent(`[report ${ex.reportId}]`) : '';
}

function formatRequest(ex: Exchange, opts: PrettyOptions, time: string, checked?: ReportFindings): string[] {
  const p = opts.paint;
  const req = ex.request!;
  const h = req.head;
  const first = `${time}${p.accent(`#${ex.connection.id}`)} ${p.bold('▶')} ${p.tag(escapeControl(h.method, p))} ${escapeControl(h.target, p)} ${p.dim(escapeControl(h.version, p))}${reportTag(ex, p)}`;
  const findings = checked ? formatFindings(checked.findings, p, 'Check', '  ') : undefined;
  return [first, ...(level(opts) >= 2 ? formatHeaders(h.headers, p) : []), ...formatMessageBody(req, ex, opts, findings)];
}

function formatResponse(ex: Exchange, opts: PrettyOptions, time: string): string[] {
  const p = opts.paint;
  const res = ex.response!;
  // Interim answers (100 Continue) were shown when they came (the `interim` event).
  const lines: string[] = [];
  const st = res.head.status;
  const colour = st >= 500 ? p.err : st >= 400 ? p.warn : p.ok;
  const latency = ex.request ? ` ${p.dim(`${Math.round(Math.max(0, res.startTs - ex.request.endTs))} ms`)}` : '';
  // Shorten before escaping: cutting the escaped text could split a colour code or a pair.
  const what = ex.request ? p.dim(` ← ${escapeControl(ex.request.head.method, p)} ${escapeControl(ex.request.head.target.slice(0, 80), p)}`) : '';
  lines.push(`${time}${p.accent(`#${ex.connection.id}`)} ${p.bold('◀')} ${colour(`${st} ${escapeControl(res.head.reason, p)}`)}${latency}${what}${reportTag(ex, p)}`);
  return lines.concat(level(opts) >= 2 ? formatHeaders(res.head.headers, p) : [], formatMessageBody(res, ex, opts));
}

function formatHeaders(headers: Header[], p: Paint): string[] {
  return headers.map(([n, v]) => `${INDENT}${p.key(escapeControl(n, p))}: ${escapeControl(v, p)}`);
}

function formatMessageBody(msg: HttpMessage, ex: Exchange, opts: PrettyOptions, findings?: string[]): string[] {
  const indented = (lines: string[]): string[] => lines.map((l: string) => (l ? INDENT + l : ''));
  if (msg.body.length === 0 && msg.body.complete) return indented(findings ?? []);
  const dec = decodedOf(msg, msg.head.kind === 'response' ? ex.request : undefined);
  // Findings go right under the report's summary; without a decoded report, after the body.
  const underSummary = findings && dec.kind === 'wer-report' && dec.report && msg.body.data ? findings : undefined;
  const summaryOnly = level(opts) < 3;
  let lines = formatBody(dec, msg.body, opts.paint, { hexDump: opts.hexDump && !summaryOnly, maxTextLines: opts.maxTextLines, afterReport: underSummary, omitBinary: opts.omitBinary, summaryOnly });
  if (findings && !underSummary) append(lines, findings);
  // A CAB is better shown by its contents than by a hexdump of its compressed bytes.
  if (dec.cab) lines = [...(opts.hexDump && !summaryOnly ? lines : lines.slice(0, 1)), ...formatCabView(dec.cab, opts.paint)];
  return indented(lines);
}

function level(opts: PrettyOptions): number {
  return opts.verbosity ?? 3;
}

function clock(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
