// A HAR document back to the bytes of each connection, both directions, for the same pipeline
// as a live capture. wer-sniff's own entries keep the exact heads (`_rawHead` on requests,
// responses and interim answers) and body bytes, so they come back byte for byte — except
// chunked bodies, which a HAR holds de-chunked (framed again as one chunk). Other HAR 1.2 files
// (browsers, mitmproxy, Fiddler) are rebuilt as far as they carry the bytes: `HTTP/1.1`, headers
// in HAR order minus HTTP/2 pseudo-headers (`:authority` becomes Host), Content-Length of the
// body as given (Content-Encoding dropped: HAR bodies are stored decoded). Each loss is said
// once per file in `notes`; a body the HAR does not hold is a problem on its exchange, and its
// connection is cut after it (nothing after it could be framed). Entries sharing `connection`
// share one connection, in order. Pure: a parsed JSON value in, bytes out.
import type { Direction } from '../../model.js';
import { requestBody, responseBody, rechunk, type HarBody } from './har-bodies.js';

type Json = Record<string, unknown>;
const CRLF = '\r\n';

export class HarInputError extends Error {}

export type HarStep = { ts: number } & (
  | { type: 'data'; source: Direction; bytes: Buffer }
  | { type: 'problem'; source: Direction; code: string; message: string }
);

export interface HarConnection {
  /** For messages and as the connection's peer: `file.har connection 3`. */
  name: string;
  /** The server, `host:port` from the URL (or its IP). */
  server: string;
  openedAt: number;
  steps: HarStep[];
}

export interface HarInput {
  connections: HarConnection[];
  notes: string[];
}

/** Whether a parsed JSON value has HAR's shape: `{"log":{"entries":[...]}}`. */
export function isHar(doc: unknown): boolean {
  return Array.isArray((doc as { log?: { entries?: unknown } } | null)?.log?.entries);
}

interface Counts {
  rebuiltRequests: number;
  rebuiltResponses: number;
  rechunked: number;
  unencoded: number;
  http2: number;
  inexact: number;
}

export function harConnections(doc: unknown, name: string): HarInput {
  if (!isHar(doc)) throw new HarInputError(`${name} is JSON but not a HAR (no log.entries)`);
  const entries = (doc as { log: { entries: unknown[] } }).log.entries;
  /** Connections in the order they were opened; `byKey` the ones still open per `connection`. */
  const all: HarConnection[] = [];
  const byKey = new Map<string, HarConnection>();
  const notes: string[] = [];
  const n: Counts = { rebuiltRequests: 0, rebuiltResponses: 0, rechunked: 0, unencoded: 0, http2: 0, inexact: 0 };
  let lastTs = 0;
  entries.forEach((raw, i) => {
    const entry = (raw ?? {}) as Json;
    const where = `${name} entry ${i + 1}`;
    const ts = Date.parse(String(entry.startedDateTime ?? ''));
    const t0 = Number.isFinite(ts) ? ts : lastTs;
    lastTs = t0;
    const timings = (entry.timings ?? {}) as Json;
    const ms = (k: string) => (typeof timings[k] === 'number' && (timings[k] as number) > 0 ? (timings[k] as number) : 0);
    const req = entry.request as Json | undefined;
    const res = entry.response as Json | undefined;
    const hasRequest = typeof req?.method === 'string' && req.method !== '';
    let url: URL | undefined;
    try {
      url = new URL(String(req?.url ?? ''));
    } catch {
      if (hasRequest && typeof req!._rawHead !== 'string') {
        notes.push(`${where}: url ${JSON.stringify(String(req!.url).slice(0, 80))} is not an absolute URL; left out`);
        return;
      }
    }
    const key = typeof entry.connection === 'string' && entry.connection ? entry.connection : `entry-${i + 1}`;
    let conn = byKey.get(key);
    if (!conn) {
      const label = key.startsWith('entry-') ? `of entry ${i + 1}` : key;
      const server = typeof entry.serverIPAddress === 'string' && entry.serverIPAddress ? entry.serverIPAddress : url?.host ?? 'har';
      byKey.set(key, (conn = { name: `${name} connection ${label}${all.some((c) => c.name.endsWith(` ${label}`)) ? ` (after entry ${i})` : ''}`, server, openedAt: t0, steps: [] }));
      all.push(conn);
    }
    const steps = conn.steps;
    let cut = false;
    const problem = (source: Direction, at: number, why: string) => {
      steps.push({ type: 'problem', source, ts: at, code: 'har-body-missing', message: `entry ${i + 1}: ${why}` });
      cut = true;
    };
    const reqEnd = t0 + ms('send');
    const resStart = reqEnd + ms('wait');
    let body: Buffer = Buffer.alloc(0);
    if (hasRequest) {
      const built = buildRequest(req!, url, n);
      if (built.body.missing) problem('client', t0, built.body.missing);
      steps.push({ type: 'data', source: 'client', ts: t0, bytes: built.head });
      body = built.bodyBytes;
    }
    for (const r of Array.isArray(res?._interim) ? (res!._interim as Json[]) : []) {
      steps.push({ type: 'data', source: 'server', ts: reqEnd, bytes: buildHead(r, n) });
    }
    if (body.length) steps.push({ type: 'data', source: 'client', ts: t0, bytes: body });
    if (res && (typeof res._rawHead === 'string' || (typeof res.status === 'number' && res.status > 0))) {
      const built = buildResponse(res, n);
      if (built.body.missing) problem('server', resStart, built.body.missing);
      steps.push({ type: 'data', source: 'server', ts: resStart, bytes: Buffer.concat([built.head, built.bodyBytes]) });
    }
    // A missing body leaves its head waiting for bytes that never come: later entries of this
    // connection go on a new one.
    if (cut) byKey.delete(key);
  });
  const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (n.rebuiltRequests) notes.push(`${name}: ${plural(n.rebuiltRequests, 'request', 'requests')} without wer-sniff's exact bytes (_rawHead) rebuilt from the HAR fields: HTTP/1.1, headers in HAR order, Content-Length of the body sent`);
  if (n.rebuiltResponses) notes.push(`${name}: ${plural(n.rebuiltResponses, 'response', 'responses')} rebuilt from the HAR fields (the exact head is not in this HAR): HTTP/1.1, headers in HAR order, Content-Length of the body`);
  if (n.http2) notes.push(`${name}: ${plural(n.http2, 'message was', 'messages were')} HTTP/2 or HTTP/3, shown as HTTP/1.1`);
  if (n.unencoded) notes.push(`${name}: ${plural(n.unencoded, 'body is', 'bodies are')} stored decoded in the HAR; their Content-Encoding header is left out`);
  if (n.rechunked) notes.push(`${name}: ${plural(n.rechunked, 'chunked body', 'chunked bodies')} framed again as one chunk (the HAR keeps bodies de-chunked)`);
  if (n.inexact) notes.push(`${name}: ${plural(n.inexact, 'text body', 'text bodies')} taken as UTF-8 (the HAR does not say which bytes the text came from)`);
  const connections = all.sort((a, b) => a.openedAt - b.openedAt);
  return { connections, notes };
}

interface Built {
  head: Buffer;
  body: HarBody;
  /** The body as it goes on the wire (empty when missing). */
  bodyBytes: Buffer;
}

function buildRequest(req: Json, url: URL | undefined, n: Counts): Built {
  const body = requestBody(req.postData as Json | undefined);
  if (body.bytes && !body.exact && body.bytes.length) n.inexact++;
  if (typeof req._rawHead === 'string') return exactMessage(Buffer.from(req._rawHead, 'base64'), req._framing, body, n);
  n.rebuiltRequests++;
  const pd = req.postData as Json | undefined;
  const length = body.bytes ? (body.bytes.length || pd ? body.bytes.length : undefined) : declared(pd ?? {}, req.bodySize);
  const headers = rebuiltHeaders(req.headers, n, length);
  const authority = (Array.isArray(req.headers) ? (req.headers as Json[]) : []).find((h) => h?.name === ':authority')?.value;
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.unshift(['Host', String(authority ?? url?.host ?? '')]);
  if (isHttp2(req.httpVersion)) n.http2++;
  const line = `${String(req.method)} ${url ? url.pathname + url.search : '/'} HTTP/1.1`;
  return { head: headBytes(line, headers), body, bodyBytes: body.bytes ?? Buffer.alloc(0) };
}

function buildResponse(res: Json, n: Counts): Built {
  const body = responseBody(res.content as Json | undefined);
  if (body.bytes && !body.exact && body.bytes.length) n.inexact++;
  if (typeof res._rawHead === 'string') return exactMessage(Buffer.from(res._rawHead, 'base64'), res._framing, body, n);
  n.rebuiltResponses++;
  const content = (res.content ?? {}) as Json;
  const length = body.bytes ? body.bytes.length : declared(content, content.size ?? res.bodySize);
  return { head: buildHead(res, n, length), body, bodyBytes: body.bytes ?? Buffer.alloc(0) };
}

/** wer-sniff's exact head with the body as it was framed (one chunk when it was chunked). */
function exactMessage(head: Buffer, framing: unknown, body: HarBody, n: Counts): Built {
  if (!body.bytes) return { head, body, bodyBytes: Buffer.alloc(0) };
  if (framing === 'chunked') {
    n.rechunked++;
    return { head, body, bodyBytes: rechunk(body.bytes) };
  }
  return { head, body, bodyBytes: body.bytes };
}

/** A response head from fields: `_rawHead` when there is one (interim answers), else rebuilt;
 * `length`: its Content-Length (none for an interim answer). */
function buildHead(res: Json, n: Counts, length?: number): Buffer {
  if (typeof res._rawHead === 'string') return Buffer.from(res._rawHead, 'base64');
  if (isHttp2(res.httpVersion)) n.http2++;
  const headers = rebuiltHeaders(res.headers, n, length);
  const reason = typeof res.statusText === 'string' ? res.statusText.replace(/[\r\n]/g, ' ') : '';
  return headBytes(`HTTP/1.1 ${Number(res.status) || 0} ${reason}`, headers);
}

/** The size a HAR claims for a body it does not hold (`_size`, else `size`/`bodySize`); 0 when
 * it names none. Only ever written into a Content-Length, never used to size anything. */
function declared(o: Json, fallback: unknown): number {
  const v = typeof o._size === 'number' ? o._size : fallback;
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

/** HAR headers as sent again: no pseudo-headers, no Transfer-Encoding; Content-Length `length`, where the HAR has it (else last)
 * (the body given, or the size claimed for a body the HAR does not hold, so that message stays
 * incomplete rather than becoming another one); no Content-Encoding on a body (HAR bodies are
 * stored decoded). */
function rebuiltHeaders(list: unknown, n: Counts, length?: number): [string, string][] {
  const out: [string, string][] = [];
  let encoded = false;
  for (const h of Array.isArray(list) ? (list as Json[]) : []) {
    const name = String(h?.name ?? '');
    const value = String(h?.value ?? '');
    if (!name || name.startsWith(':') || /[\r\n]/.test(name + value)) continue;
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') continue;
    if (lower === 'content-length') {
      // Where the HAR has it, once, with the length of the body given.
      if (length !== undefined && !out.some(([k]) => k.toLowerCase() === 'content-length')) out.push([name, String(length)]);
      continue;
    }
    if (lower === 'content-encoding' && length) {
      encoded = true;
      continue;
    }
    out.push([name, value]);
  }
  if (encoded) n.unencoded++;
  if (length !== undefined && !out.some(([k]) => k.toLowerCase() === 'content-length')) out.push(['Content-Length', String(length)]);
  return out;
}

function headBytes(line: string, headers: [string, string][]): Buffer {
  return Buffer.from(`${line}${CRLF}${headers.map(([k, v]) => `${k}: ${v}${CRLF}`).join('')}${CRLF}`, 'latin1');
}

function isHttp2(v: unknown): boolean {
  return /^(h2|h3|http\/2|http\/3)/i.test(String(v ?? ''));
}
