// One HAR 1.2 entry per exchange, for `--har` (har.ts streams them into the file). Text
// bodies (after charset decoding, so UTF-16 reports read as text) go in `text`; binary ones
// are base64 — `content.encoding: "base64"` as HAR 1.2 allows for responses, and for request
// bodies (HAR 1.2 has no encoding there) `postData.text` holds base64 with `_encoding:
// "base64"` and a comment saying so. Bodies over `inlineMax` (1 MiB unless --include-bodies)
// and bodies too large to keep in memory are referenced instead: `_size`, `_sha256`,
// `_omitted: true` and a comment, no text — so a HAR of many large uploads stays small and
// is written entry by entry. A request never answered gets status 0, as browsers write
// aborted requests.
import type { Exchange, Header, HttpMessage } from '../model.js';
import { decodedOf } from '../domain/body/message.js';
import { headerValue } from '../domain/body/views.js';
import { roundTrips } from '../domain/body/charset.js';
import { formatSize } from '../util/size.js';
import { notKept } from '../render/format-body.js';

type Json = Record<string, unknown>;

/** Bodies larger than this are referenced (size, sha256), not inlined, unless --include-bodies. */
export const INLINE_BODY_BYTES = 1024 * 1024;

export interface HarEntryOptions {
  /** Largest body written inline (text or base64); Infinity with --include-bodies. */
  inlineMax?: number;
  /** Where --save-dir saved an upload: named (`_savedAs`) beside a request body left out. */
  savedPath?: (ex: Exchange) => string | undefined;
}

/** One HAR entry; custom fields start with `_` as HAR 1.2 requires. */
export function toHarEntry(ex: Exchange, opts: HarEntryOptions = {}): Json {
  const inlineMax = opts.inlineMax ?? INLINE_BODY_BYTES;
  const req = ex.request;
  const res = ex.response;
  const send = req ? Math.max(0, req.endTs - req.startTs) : 0;
  const wait = req && res ? Math.max(0, res.startTs - req.endTs) : 0;
  const receive = res ? Math.max(0, res.endTs - res.startTs) : 0;
  const conn = ex.connection;
  const entry: Json = {
    startedDateTime: new Date(req?.startTs ?? res?.startTs ?? conn.openedAt).toISOString(),
    time: send + wait + receive,
    request: toHarRequest(ex, inlineMax, opts.savedPath),
    response: toHarResponse(ex, inlineMax),
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send, wait, receive },
    connection: String(conn.id),
  };
  const server = serverAddress(conn.upstream ?? conn.local);
  if (server) entry.serverIPAddress = server;
  if (ex.reportId) entry._reportId = ex.reportId;
  if (ex.problems.length) entry._problems = ex.problems.map((p) => ({ ...p }));
  if (!req) entry.comment = 'response without a captured request';
  else if (!res) entry.comment = 'no response captured';
  return entry;
}

/** The client's view: https when it spoke TLS to us (--tls). */
function scheme(ex: Exchange): string {
  return ex.connection.tls ? 'https' : 'http';
}

function toHarRequest(ex: Exchange, inlineMax: number, savedPath?: HarEntryOptions['savedPath']): Json {
  const req = ex.request;
  const host = (req && headerValue(req.head.headers, 'host')) ?? ex.connection.upstream ?? ex.connection.local;
  if (!req) {
    return {
      method: '', url: `${scheme(ex)}://${host}/`, httpVersion: '', cookies: [], headers: [], queryString: [],
      headersSize: -1, bodySize: -1,
    };
  }
  const target = req.head.target;
  const out: Json = {
    method: req.head.method,
    url: toUrl(host, target, scheme(ex)),
    httpVersion: req.head.version,
    cookies: cookies(req.head.headers, 'cookie'),
    headers: toNameValues(req.head.headers),
    queryString: queryString(target),
    headersSize: req.head.raw.length,
    bodySize: wireBodySize(req),
    // The exact head bytes, so `replay` can send this request again byte for byte.
    _rawHead: req.head.raw.toString('base64'),
  };
  if (req.body.framing !== 'none') out._framing = req.body.framing;
  if (req.body.length > 0 || req.body.framing !== 'none') {
    out.postData = toPostData(req, inlineMax);
    const saved = (out.postData as Json)._omitted ? savedPath?.(ex) : undefined;
    if (saved) (out.postData as Json)._savedAs = saved;
  }
  return out;
}

function toPostData(req: HttpMessage, inlineMax: number): Json {
  const body = toBody(req, inlineMax);
  const { comment, ...extra } = body.extra;
  const out: Json = { mimeType: headerValue(req.head.headers, 'content-type') ?? '', text: body.text ?? '', ...extra };
  const notes = comment ? [comment] : [];
  if (body.encoding) {
    out._encoding = body.encoding;
    notes.push('binary body: text is base64 (HAR 1.2 has no encoding field for postData)');
  } else if (body.text && req.body.data) {
    // Decoded text does not say which bytes it came from (UTF-16, BOM): keep them for replay.
    out._base64 = req.body.data.toString('base64');
  }
  if (notes.length) out.comment = notes.join('; ');
  return out;
}

function toHarResponse(ex: Exchange, inlineMax: number): Json {
  const res = ex.response;
  const interim = ex.interim.length
    ? { _interim: ex.interim.map((r) => ({ status: r.head.status, statusText: r.head.reason, headers: toNameValues(r.head.headers), _rawHead: r.head.raw.toString('base64') })) }
    : {};
  if (!res) {
    return {
      status: 0, statusText: '', httpVersion: '', cookies: [], headers: [],
      content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1, ...interim,
    };
  }
  const body = toBody(res, inlineMax, ex);
  const content: Json = { size: res.body.length, mimeType: headerValue(res.head.headers, 'content-type') ?? 'x-unknown' };
  if (body.text !== undefined) content.text = body.text;
  if (body.encoding) content.encoding = body.encoding;
  Object.assign(content, body.extra);
  return {
    status: res.head.status,
    statusText: res.head.reason,
    httpVersion: res.head.version,
    cookies: cookies(res.head.headers, 'set-cookie'),
    headers: toNameValues(res.head.headers),
    content,
    redirectURL: headerValue(res.head.headers, 'location') ?? '',
    headersSize: res.head.raw.length,
    bodySize: wireBodySize(res),
    // The exact head bytes, so `decode` of this HAR gives back the response byte for byte.
    _rawHead: res.head.raw.toString('base64'),
    ...(res.body.framing !== 'none' ? { _framing: res.body.framing } : {}),
    ...interim,
  };
}

interface HarBody {
  text?: string;
  encoding?: 'base64';
  extra: Json;
}

/** A body as HAR text: decoded text, base64 for binary, or a reference (size, sha256) when it
 * is over `inlineMax` or was too large to keep in memory. */
function toBody(msg: HttpMessage, inlineMax: number, ex?: Exchange): HarBody {
  const b = msg.body;
  const extra: Json = {};
  if (b.length > 0) extra._sha256 = b.sha256;
  if (!b.complete) extra._complete = false;
  if (b.data === undefined && b.length > 0 && !b.headOnly) {
    // A spooled upload is only spooled when over the inline limit (--include-bodies keeps it).
    if (b.spooled) extra._kind = 'binary';
    Object.assign(extra, { _size: b.length, _omitted: true });
    extra.comment = b.spooled ? `body of ${b.length} bytes left out (over ${formatSize(inlineMax)}; a level-2 upload, spooled to disk); sha256 ${b.sha256}; --include-bodies keeps it in the HAR`
      : `body of ${b.length} bytes was too large to keep in memory (see --max-body-bytes); sha256 ${b.sha256}`;
    return { extra };
  }
  const dec = decodedOf(msg, ex?.request);
  extra._kind = dec.kind;
  if (dec.charset) extra._charset = dec.charset.name;
  if (b.length > inlineMax || b.headOnly) {
    // Inlined, 40 uploads of 20 MiB made a HAR no JSON.stringify could hold (and ~1 GB of
    // memory): the bytes are in -o / -w / --save-dir, the HAR names them by size and hash. A
    // body kept in part (always over 1 MiB, binary or text) is named the same way.
    Object.assign(extra, { _size: b.length, _omitted: true });
    extra.comment = b.length > inlineMax ? `body of ${b.length} bytes left out (over ${formatSize(inlineMax)}); sha256 ${b.sha256}; --include-bodies keeps it in the HAR`
      : `body of ${b.length} bytes left out: ${notKept(b, dec)}; sha256 ${b.sha256}`;
    return { extra };
  }
  if (dec.cut) {
    // Only the body's beginning was decoded (views.ts VIEW_DECODE_BYTES): the exact bytes go in.
    extra.comment = `only the first ${dec.cut.decodedBytes} bytes were decoded, so the body is base64`;
    return { text: b.data!.toString('base64'), encoding: 'base64', extra };
  }
  if (dec.kind === 'binary' || dec.text === undefined || !exactText(dec.text, b.data!, dec.charset)) {
    if (dec.kind !== 'binary' && dec.text !== undefined) {
      extra._notExactText = true;
      extra.comment = `decoding as ${dec.charset?.name ?? 'text'} would not give back the exact bytes, so the body is base64`;
    }
    return b.length ? { text: b.data!.toString('base64'), encoding: 'base64', extra } : { text: '', extra };
  }
  return { text: dec.text, extra };
}

/** Text only when it encodes back to the very bytes received; else base64 (never corrupted). */
function exactText(text: string, data: Buffer, charset: { name: string; rule: string } | undefined): boolean {
  if (!charset) return data.length === 0;
  const bom = charset.rule === 'bom' ? (charset.name === 'utf-8' ? 3 : 2) : 0;
  return roundTrips(text, data, charset.name, bom);
}

/** An absolute URL that is a valid URI: WER's PUT targets start with `\` and hold `\`, which
 * are percent-encoded here (the exact target stays in `_rawHead` and the request line). */
function toUrl(host: string, target: string, scheme: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return encodeUri(target);
  const path = target.startsWith('/') || target === '*' ? target : '/' + target;
  return `${scheme}://${encodeUri(host)}${encodeUri(path)}`;
}

/** Percent-encodes every byte (latin1, as received) that RFC 3986 does not allow in a URI. */
function encodeUri(s: string): string {
  return s.replace(/%(?![0-9a-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]/gi,
    (c) => [...Buffer.from(c, 'latin1')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''));
}

/** Bytes of body on the wire (chunk framing included), as HAR's bodySize means. */
function wireBodySize(msg: HttpMessage): number {
  return Math.max(0, msg.end - msg.start - msg.head.raw.length);
}

function toNameValues(headers: Header[]): Json[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function queryString(target: string): Json[] {
  const q = target.indexOf('?');
  if (q < 0) return [];
  return target.slice(q + 1).split('#')[0]!.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    return { name: unescapeQuery(name), value: unescapeQuery(value) };
  });
}

function unescapeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** `Cookie: a=1; b=2` or each `Set-Cookie: a=1; Path=/` as HAR cookies (name and value only). */
function cookies(headers: Header[], name: 'cookie' | 'set-cookie'): Json[] {
  const out: Json[] = [];
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== name) continue;
    const pairs = name === 'cookie' ? v.split(';') : [v.split(';')[0]!];
    for (const p of pairs) {
      const eq = p.indexOf('=');
      if (eq > 0) out.push({ name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() });
    }
  }
  return out;
}

/** The IP of `addr:port` / `[v6]:port`, or undefined when it is not an IP (names, `file`). */
function serverAddress(hostPort: string): string | undefined {
  const m = /^\[([^\]]+)\]:\d+$/.exec(hostPort) ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hostPort);
  return m?.[1];
}
