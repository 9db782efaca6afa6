// Rebuilds the requests of a HAR document as bytes for `replay`. Entries written by wer-sniff
// carry the exact head (`request._rawHead`) and body bytes (`postData._base64`, or base64
// `text` with `_encoding`), so they come back byte for byte — except chunked bodies, which the
// HAR holds de-chunked and which are sent again as one chunk. Foreign HAR (browsers, proxies)
// is rebuilt as faithfully as it allows: `METHOD origin-form HTTP/1.1`, headers in HAR order
// minus HTTP/2 pseudo-headers (`:authority` becomes Host), the body as UTF-8 (or base64-decoded),
// Content-Length set to the body actually sent. Entries that share `connection` are replayed
// on one connection, in order. Bodies the HAR only names (`_omitted`: over 1 MiB without
// --include-bodies, or over --max-body-bytes) are not sent, with a note saying why. Pure: a
// parsed JSON value in, bytes out.
import type { ReplayConnection, ReplaySource } from './source.js';

type Json = Record<string, unknown>;
const CRLF = '\r\n';

export class HarInputError extends Error {}

export function harRequests(doc: unknown, name: string): ReplaySource {
  const entries = (doc as { log?: { entries?: unknown } } | undefined)?.log?.entries;
  if (!Array.isArray(entries)) throw new HarInputError(`${name} is JSON but not a HAR (no log.entries)`);
  const byConn = new Map<string, ReplayConnection>();
  const notes: string[] = [];
  let foreign = 0;
  let rechunked = 0;
  entries.forEach((entry: Json, i) => {
    const where = `${name} entry ${i + 1}`;
    const req = entry?.request as Json | undefined;
    if (!req || typeof req.method !== 'string' || !req.method) return; // a lone response: nothing to send
    let bytes: Buffer | undefined;
    const left = omitted(req.postData as Json | undefined);
    if (left) {
      notes.push(`${where}: not sent — ${left}`);
      return;
    }
    if (typeof req._rawHead === 'string') {
      const body = exactBody(req.postData as Json | undefined);
      if (body === undefined) {
        notes.push(`${where}: the body is not in the HAR (too large when captured); not sent`);
        return;
      }
      const head = Buffer.from(req._rawHead, 'base64');
      if (req._framing === 'chunked') {
        rechunked++;
        bytes = Buffer.concat([head, rechunk(body)]);
      } else bytes = Buffer.concat([head, body]);
    } else {
      bytes = rebuild(req, where, notes);
      if (bytes) foreign++;
    }
    if (!bytes) return;
    const key = typeof entry.connection === 'string' && entry.connection ? entry.connection : `entry-${i}`;
    let conn = byConn.get(key);
    if (!conn) byConn.set(key, (conn = { name: `${name} connection ${key.startsWith('entry-') ? `of entry ${i + 1}` : key}`, requests: [] }));
    conn.requests.push(bytes);
  });
  if (foreign) notes.push(`${name}: ${foreign} request${foreign === 1 ? '' : 's'} without wer-sniff's exact bytes (_rawHead) rebuilt from the HAR fields: HTTP/1.1, headers in HAR order, Content-Length of the body sent`);
  if (rechunked) notes.push(`${name}: ${rechunked} chunked request bod${rechunked === 1 ? 'y' : 'ies'} sent again as one chunk (the HAR keeps bodies de-chunked)`);
  return { connections: [...byConn.values()], notes };
}

/** Why a wer-sniff entry's body is not in the HAR (`_omitted`), or undefined when it is. Such a
 * request is never sent: rebuilt with an empty or made-up body it would be a different request. */
function omitted(pd: Json | undefined): string | undefined {
  if (pd?._omitted !== true) return undefined;
  const size = typeof pd._size === 'number' ? `${pd._size} bytes, ` : '';
  const hash = typeof pd._sha256 === 'string' ? `sha256 ${pd._sha256.slice(0, 16)}…` : 'no hash';
  const why = /--max-body-bytes/.test(String(pd.comment ?? ''))
    ? 'it was over --max-body-bytes when captured'
    : 'wer-sniff names bodies over 1 MiB by size and sha256 only; capture with --include-bodies to replay them from the HAR';
  return `its body (${size}${hash}) is not in the HAR: ${why} (or replay the -o / -w capture)`;
}

/** Body bytes of a wer-sniff entry; undefined when only a size and hash were kept. */
function exactBody(pd: Json | undefined): Buffer | undefined {
  if (!pd) return Buffer.alloc(0);
  if (pd._encoding === 'base64' && typeof pd.text === 'string') return Buffer.from(pd.text, 'base64');
  if (typeof pd._base64 === 'string') return Buffer.from(pd._base64, 'base64');
  if (typeof pd.text === 'string' && pd.text !== '') return Buffer.from(pd.text, 'utf8');
  return typeof pd._sha256 === 'string' ? undefined : Buffer.alloc(0);
}

function rechunk(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('0\r\n\r\n');
  return Buffer.concat([Buffer.from(body.length.toString(16) + CRLF), body, Buffer.from(CRLF + '0' + CRLF + CRLF)]);
}

/** A request from HAR fields alone. */
function rebuild(req: Json, where: string, notes: string[]): Buffer | undefined {
  let url: URL;
  try {
    url = new URL(String(req.url));
  } catch {
    notes.push(`${where}: url ${JSON.stringify(String(req.url).slice(0, 80))} is not an absolute URL; not sent`);
    return undefined;
  }
  const pd = req.postData as Json | undefined;
  const body = !pd ? Buffer.alloc(0)
    : (pd.encoding === 'base64' || pd._encoding === 'base64') && typeof pd.text === 'string' ? Buffer.from(pd.text, 'base64')
      : Buffer.from(typeof pd.text === 'string' ? pd.text : '', 'utf8');
  const headers: [string, string][] = [];
  let authority: string | undefined;
  for (const h of Array.isArray(req.headers) ? (req.headers as Json[]) : []) {
    const n = String(h?.name ?? '');
    const v = String(h?.value ?? '');
    if (n === ':authority') authority = v;
    if (!n || n.startsWith(':') || /[\r\n]/.test(n + v)) continue;
    const lower = n.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    headers.push([n, v]);
  }
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) headers.unshift(['Host', authority ?? url.host]);
  if (body.length || pd) headers.push(['Content-Length', String(body.length)]);
  const method = String(req.method);
  const head = `${method} ${url.pathname}${url.search} HTTP/1.1${CRLF}${headers.map(([n, v]) => `${n}: ${v}${CRLF}`).join('')}${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
