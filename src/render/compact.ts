// The default human view: one line per exchange, for an admin watching a fleet. A level-1
// report becomes `time #conn MACHINE EVENT app version code @ module+offset → 200 Bucket n ·
// CAB asked`, a CAB upload `… CAB 31.2 MiB · 4 files · dump: c0000005 in x.dll+0x4f10`, other
// traffic `GET /path → 404 · 1.2 KiB`. Problems and check errors add one indented line each,
// under the line of the exchange they are about. A request's line waits for its answer (the
// listener answers at once) and is printed at the latest when its connection closes, so every
// problem about a request prints after that request's line. `-q` keeps only the problem and
// error lines. Lines are cut to the terminal's width (width.ts); never when it is not a
// terminal. Every string from the wire goes through escapeControl.
import type { CaptureEvent, Exchange, Problem } from '../model.js';
import type { Paint } from './paint.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import { escapeControl } from '../util/escape.js';
import { formatSize } from '../util/size.js';
import { fitWidth } from './width.js';
import { decodedOf } from '../domain/body/message.js';
import { reportFacts } from '../analysis/fleet/signature.js';
import { isLevel1Request } from '../domain/server/cer-server.js';
import { append } from '../util/append.js';

export interface CompactOptions {
  paint: Paint;
  /** Live: wall-clock times and `no answer` for requests never answered. */
  times: boolean;
  /** Terminal columns to fit lines into; undefined = never cut. */
  width?: number;
  /** `-q`: only problems and check errors. */
  quiet?: boolean;
  /** `--save-dir`: the folder an exchange's report was saved in, if any. */
  savedIn?(ex: Exchange): string | undefined;
}

/** Unanswered requests held per connection before the oldest is printed as it is. */
const MAX_HELD = 64;
/** Report id → machine, so a CAB upload's line can name its machine. */
const MAX_MACHINES = 10_000;
/** Longest problem or finding message on a line when nothing cuts to a width. */
const MAX_MESSAGE = 160;
const INDENT = '    ';

interface Held {
  ex: Exchange;
  found: ReportFindings[];
  problems: Problem[];
}

export class CompactView {
  private readonly held = new Map<number, Held[]>();
  private readonly machines = new Map<string, string>();

  constructor(private readonly opts: CompactOptions, private readonly write: (lines: string[]) => void) {}

  event(ev: CaptureEvent, found: ReportFindings[] = []): void {
    const c = ev.connection.id;
    switch (ev.type) {
      case 'request': {
        if (this.opts.quiet) return this.out(this.findingLines(found, true));
        const list = this.held.get(c) ?? [];
        list.push({ ex: ev.exchange, found: [...found], problems: [] });
        this.held.set(c, list);
        if (list.length > MAX_HELD) this.release(list.shift()!);
        return;
      }
      case 'response': {
        if (this.opts.quiet) return this.out(this.findingLines(found, true));
        const list = this.held.get(c);
        const i = list ? list.findIndex((h) => h.ex === ev.exchange) : -1;
        // Answers come in request order: anything held before this one is answered no more.
        const before = i > 0 ? list!.splice(0, i) : [];
        for (const h of before) this.release(h);
        const h = i >= 0 ? list!.shift()! : { ex: ev.exchange, found: [], problems: [] };
        if (list && !list.length) this.held.delete(c);
        append(h.found, found);
        return this.release(h);
      }
      case 'problem': {
        const h = this.opts.quiet ? undefined : this.held.get(c)?.find((x) => x.ex.problems.includes(ev.problem));
        if (h) h.problems.push(ev.problem);
        else this.out([this.problemLine(ev.problem, c)]);
        return;
      }
      case 'raw': {
        const p = this.opts.paint;
        this.out([`${INDENT}${p.accent(`#${c}`)} ${p.warn(`${ev.bytes.length} ${ev.source} bytes that are not HTTP`)} at offset ${ev.offset} ${p.dim('(-vvv shows them)')}`]);
        return;
      }
      case 'close': {
        const list = this.held.get(c);
        this.held.delete(c);
        for (const h of list ?? []) this.release(h);
        return;
      }
      default:
        return;
    }
  }

  /** Findings that arrive without an event (the end of the run): errors only. */
  findings(found: ReportFindings[]): void {
    this.out(this.findingLines(found, true));
  }

  /** The end of the run: whatever still waits for an answer. */
  flush(): void {
    for (const list of this.held.values()) for (const h of list) this.release(h);
    this.held.clear();
  }

  private release(h: Held): void {
    const lines = [this.exchangeLine(h.ex)];
    for (const pr of h.problems) lines.push(this.problemLine(pr));
    append(lines, this.findingLines(h.found, false));
    this.out(lines);
  }

  private out(lines: string[]): void {
    if (lines.length) this.write(lines.map((l) => fitWidth(l, this.opts.width)));
  }

  private problemLine(pr: Problem, conn?: number): string {
    const p = this.opts.paint;
    const who = conn === undefined ? '' : `${p.accent(`#${conn}`)} `;
    return `${INDENT}${who}${p.err('!')} ${p.err(escapeControl(pr.code, p))} ${escapeControl(short(pr.message), p)}`;
  }

  /** One line per check error; `withConn` names the connection (lines not under their report). */
  private findingLines(found: ReportFindings[], withConn: boolean): string[] {
    const p = this.opts.paint;
    const out: string[] = [];
    for (const r of found) {
      for (const f of r.findings) {
        if (f.severity !== 'error') continue;
        const who = withConn ? `${p.accent(`#${r.connection.id}`)} ` : '';
        out.push(`${INDENT}${who}${p.err('✗')} ${p.bold(f.rule)} ${escapeControl(short(f.message), p)}`);
      }
    }
    return out;
  }

  /** The one line of an exchange: what was asked, and what was answered. */
  exchangeLine(ex: Exchange): string {
    const p = this.opts.paint;
    const ts = ex.request?.startTs ?? ex.response?.startTs ?? ex.connection.openedAt;
    const head = `${this.opts.times ? p.dim(clock(ts)) + ' ' : ''}${p.accent(`#${ex.connection.id}`)}`;
    return [head, this.askedPart(ex), this.answerPart(ex)].filter(Boolean).join(' ');
  }

  private askedPart(ex: Exchange): string {
    const p = this.opts.paint;
    const esc = (s: string) => escapeControl(s, p);
    const req = ex.request;
    if (!req) return p.dim('(answer only)');
    const dec = req.body.data && req.body.length ? decodedOf(req) : undefined;
    if (dec?.report) {
      const f = reportFacts(dec.report);
      if (f.machine && ex.reportId) this.remember(ex.reportId, f.machine);
      const parts = [p.bold(esc(f.machine ?? '?')), p.tag(esc(f.event ?? '?'))];
      if (f.app) parts.push(esc(f.app) + (f.version ? ' ' + esc(f.version) : ''));
      if (f.code) parts.push(p.err(esc(f.code)));
      if (f.module) parts.push(`@ ${esc(f.module)}${f.offset ? '+' + esc(f.offset) : ''}`);
      return parts.join(' ');
    }
    if (dec?.cab || (req.head.method === 'PUT' && (ex.reportId || req.body.head.toString('latin1', 0, 4) === 'MSCF'))) {
      const machine = ex.reportId ? this.machines.get(ex.reportId) : undefined;
      const parts = [`${machine ? p.bold(esc(machine)) + ' ' : ''}${p.tag('CAB')} ${formatSize(req.body.length)}`];
      if (!req.body.complete) parts.push(p.warn('incomplete'));
      if (dec?.cab) {
        const n = dec.cab.entries.length;
        parts.push(`${n} file${n === 1 ? '' : 's'}`);
        const dump = dec.cab.entries.find((e) => e.minidump?.exception)?.minidump?.exception;
        if (dump) parts.push(`dump: ${p.err(esc(dump.code))}${dump.module ? ` in ${esc(dump.module.name.split(/[\\/]/).pop() ?? '')}+${esc(dump.module.offset)}` : ''}`);
      }
      const saved = this.opts.savedIn?.(ex);
      if (saved) parts.push(`saved ${esc(saved)}`);
      return parts.join(p.dim(' · '));
    }
    const target = req.head.target.length > 120 ? req.head.target.slice(0, 119) + '…' : req.head.target;
    const size = req.body.length ? ' ' + p.dim(formatSize(req.body.length)) : '';
    return `${p.tag(esc(req.head.method))} ${esc(target)}${size}${isLevel1Request(req.head) ? ' ' + p.warn('(no WER report)') : ''}`;
  }

  private answerPart(ex: Exchange): string {
    const p = this.opts.paint;
    const res = ex.response;
    if (!res) return this.opts.times ? `${p.dim('→')} ${p.warn('no answer')}` : '';
    const st = res.head.status;
    const colour = st >= 500 ? p.err : st >= 400 ? p.warn : p.ok;
    const parts = [`${p.dim('→')} ${colour(String(st))}`];
    const l1 = res.body.data && res.body.length ? decodedOf(res, ex.request).level1 : undefined;
    if (l1) {
      const v = l1.values;
      if (v.Bucket !== undefined) parts.push(`Bucket ${escapeControl(v.Bucket, p)}`);
      const asked = v.iData?.trim() === '1' && v.DumpFile ? 'CAB asked' : 'no CAB';
      return parts.join(' ') + p.dim(' · ') + asked;
    }
    if (res.body.length) parts.push(p.dim(formatSize(res.body.length)));
    return parts.join(' ');
  }

  private remember(reportId: string, machine: string): void {
    this.machines.delete(reportId);
    this.machines.set(reportId, machine);
    if (this.machines.size > MAX_MACHINES) this.machines.delete(this.machines.keys().next().value!);
  }
}

/** A message cut to its first line and MAX_MESSAGE characters. */
function short(s: string): string {
  const first = s.split(/\r?\n/, 1)[0] ?? '';
  return first.length > MAX_MESSAGE ? first.slice(0, MAX_MESSAGE - 1) + '…' : first;
}

export function clock(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
