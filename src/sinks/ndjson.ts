// `--json`: one JSON object per line per event, for jq and scripts. Bodies appear as text when
// they decode as text, base64 when binary (binary bodies over 1 MiB only by length and sha256,
// unless --include-bodies); WER reports get their own `report` line with every decoded field.
// The schema is documented in docs/json.md.
import { once } from 'node:events';
import { drainOf } from './drain.js';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Exchange, HttpMessage, Sink } from '../model.js';
import { decodedOf } from '../domain/body/message.js';
import { toBodyJson } from '../render/format-body.js';
import { BatchWriter } from './batch-writer.js';
import { isoTime } from '../util/iso-time.js';
import { INLINE_BODY_BYTES } from './har-entry.js';
import type { ReportFindings } from '../analysis/check/conversation.js';

export class NdjsonSink implements Sink {
  private readonly batch: BatchWriter;

  /** `omitBinary` (--redact): base64 bodies and raw bytes are left out — names inside them
   * could not be replaced. `inlineMax`: largest binary body given as base64 (--include-bodies:
   * Infinity). */
  constructor(
    private readonly out: Writable, private readonly endOut = false, private readonly omitBinary = false,
    private readonly inlineMax = INLINE_BODY_BYTES,
    /** Where --save-dir saved an upload, named beside a body too large to inline. */
    private readonly savedPath?: SavedPath,
  ) {
    this.batch = new BatchWriter(out);
  }

  /** The event, then one `finding` line per finding it carries (`ev.findings`). */
  event(ev: CaptureEvent): void {
    for (const obj of toJsonEvents(ev, this.inlineMax, this.savedPath)) this.batch.write(JSON.stringify(this.omitBinary ? withoutBinary(obj) : obj), true);
    if (ev.findings) this.findings(ev.findings);
  }

  /** One line that is not about a single event (the `stats` bucket table). */
  writeObject(obj: object): void {
    this.batch.write(JSON.stringify(obj), true);
  }

  /** One `finding` line per finding. */
  findings(found: ReportFindings[]): void {
    for (const r of found) for (const obj of toFindingEvents(r)) this.batch.write(JSON.stringify(obj), true);
  }

  /** Asked after every chunk: it does not flush the batch (that would be one write per chunk;
   * the batch is written once the current task is done, or when full). */
  waitDrain(): Promise<void> | null {
    return drainOf(this.out);
  }

  async close(): Promise<void> {
    this.batch.flush();
    if (this.endOut) await new Promise<void>((r) => this.out.end(() => r()));
    else if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}

type Json = Record<string, unknown>;

/** Where an exchange's upload was saved (--save-dir), if it was. */
export type SavedPath = (ex: Exchange) => string | undefined;

/** `inlineMax`: largest binary body given as base64 (see toBodyJson); `savedPath`: where a body
 * left out was saved, named in its `savedAs`. */
export function toJsonEvents(ev: CaptureEvent, inlineMax = Infinity, savedPath?: SavedPath): Json[] {
  // Object literals, not `{ ...base, … }`: spreading is several times slower here, and these
  // run twice per report. Key order (type, ts, conn first) is part of the output.
  const type = ev.type;
  const ts = isoTime(ev.ts);
  const conn = ev.connection.id;
  switch (ev.type) {
    case 'open':
      return [{ type, ts, conn, peer: ev.connection.peer, local: ev.connection.local, upstream: ev.connection.upstream, tls: ev.connection.tls }];
    case 'close':
      return [{
        type, ts, conn, reason: ev.reason, bytesFromClient: ev.connection.bytesFromClient,
        bytesFromServer: ev.connection.bytesFromServer,
      }];
    case 'problem':
      return [{ type, ts, conn, ...ev.problem }];
    case 'refused':
      return [{ type, ts, conn, peer: ev.connection.peer, local: ev.connection.local, reason: ev.reason, message: ev.message }];
    case 'interim': // part of the `response` line (its `interim` list), as before
      return [];
    case 'raw':
      return [{ type, ts, conn, source: ev.source, offset: ev.offset, length: ev.bytes.length, base64: ev.bytes.toString('base64') }];
    case 'request': {
      const ex = ev.exchange;
      const req = ex.request!;
      const dec = decodedOf(req);
      const out: Json[] = [{
        type, ts, conn, seq: ex.seq, reportId: ex.reportId, method: req.head.method,
        target: req.head.target, version: req.head.version, headers: req.head.headers,
        body: bodyJson(req, inlineMax, undefined, savedPath?.(ex)), offset: req.start,
      }];
      if (dec.report) out.push({ type: 'report', ts, conn, seq: ex.seq, reportId: ex.reportId, report: dec.report });
      return out;
    }
    case 'response': {
      const ex: Exchange = ev.exchange;
      const res = ex.response!;
      return [{
        type, ts, conn, seq: ex.seq, reportId: ex.reportId, version: res.head.version, status: res.head.status,
        reason: res.head.reason, headers: res.head.headers,
        interim: ex.interim.map((r) => ({ status: r.head.status, reason: r.head.reason, headers: r.head.headers })),
        // Microseconds at most: pcap input has sub-millisecond times (doubles add noise below).
        latencyMs: ex.request ? Math.round((res.startTs - ex.request.endTs) * 1000) / 1000 : undefined,
        body: bodyJson(res, inlineMax, ex), offset: res.start,
      }];
    }
  }
}

export const BINARY_OMITTED = 'binary bytes left out under --redact';

/** The event without base64 (a `raw` event's bytes, a binary body), noted where it was. */
export function withoutBinary(obj: Json): Json {
  const body = obj.body as Json | undefined;
  if (typeof obj.base64 === 'string') {
    delete obj.base64;
    obj.note = BINARY_OMITTED;
  }
  if (body && typeof body.base64 === 'string') {
    delete body.base64;
    body.notes = [...((body.notes as string[] | undefined) ?? []), BINARY_OMITTED];
  }
  return obj;
}

function bodyJson(msg: HttpMessage, inlineMax: number, ex?: Exchange, savedAs?: string): Json {
  const dec = decodedOf(msg, ex?.request);
  // The report has its own `report` event; don't repeat it inside every request line.
  const json = toBodyJson(dec, msg.body, false, inlineMax) as Json;
  if (json.omitted && savedAs) json.savedAs = savedAs;
  if (dec.cab) {
    json.cab = {
      header: dec.cab.cab.header, folders: dec.cab.cab.folders, problems: dec.cab.cab.problems,
      files: dec.cab.entries.map((e) => ({ ...e, ...dec.cab!.cab.files.find((f) => f.name === e.name) })),
    };
  }
  return json;
}

/** `finding` events: one per finding, naming the report's connection, exchange and id. */
export function toFindingEvents(r: ReportFindings): Json[] {
  const ts = isoTime(r.ts);
  return r.findings.map((f) => ({
    type: 'finding', ts, conn: r.connection.id, seq: r.seq, reportId: r.reportId, stage: r.stage,
    severity: f.severity, rule: f.rule, section: f.section, ref: f.ref, message: f.message, fix: f.fix,
  }));
}
