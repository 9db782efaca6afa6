// Body bytes from HAR fields, as exactly as the HAR allows. wer-sniff's own entries keep the
// bytes (`_base64`, base64 `text` with `_encoding`/`encoding`) or decoded text with its
// `_charset` and `_sha256`, from which the exact bytes are made again and checked; foreign
// entries (browsers, proxies) give text (UTF-8 here) or base64. A body the HAR only names
// (`_omitted`, or a hash without text) is missing: undefined, with why. Pure.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';

type Json = Record<string, unknown>;

export interface HarBody {
  bytes?: Buffer;
  /** Why the bytes are not in the HAR (when `bytes` is undefined). */
  missing?: string;
  /** True when the bytes are known to be the captured ones (base64, or text checked by hash). */
  exact: boolean;
}

const BOMS = [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/** Why a wer-sniff body is named by size and hash only. */
export function omittedReason(o: Json): string {
  const size = typeof o._size === 'number' ? `${o._size} bytes, ` : '';
  const hash = typeof o._sha256 === 'string' ? `sha256 ${o._sha256.slice(0, 16)}…` : 'no hash';
  const why = /--max-body-bytes/.test(String(o.comment ?? ''))
    ? 'it was over --max-body-bytes when captured'
    : 'wer-sniff names bodies over 1 MiB by size and sha256 only; capture with --include-bodies to keep them in the HAR';
  return `its body (${size}${hash}) is not in the HAR: ${why} (or use the -o / -w capture or the --save-dir folder)`;
}

/** A request's `postData` (undefined: no body). */
export function requestBody(pd: Json | undefined): HarBody {
  if (!pd) return { bytes: Buffer.alloc(0), exact: true };
  if (pd._omitted === true) return { missing: omittedReason(pd), exact: false };
  if ((pd._encoding === 'base64' || pd.encoding === 'base64') && typeof pd.text === 'string') return { bytes: Buffer.from(pd.text, 'base64'), exact: true };
  if (typeof pd._base64 === 'string') return { bytes: Buffer.from(pd._base64, 'base64'), exact: true };
  if (typeof pd.text === 'string' && pd.text !== '') return textBody(pd.text, pd);
  if (Array.isArray(pd.params) && pd.params.length) {
    // A form the HAR keeps as fields only: sent url-encoded, as a browser would.
    const form = (pd.params as Json[]).map((p) => `${encodeURIComponent(String(p?.name ?? ''))}=${encodeURIComponent(String(p?.value ?? ''))}`).join('&');
    return { bytes: Buffer.from(form, 'latin1'), exact: false };
  }
  if (typeof pd._sha256 === 'string') return { missing: omittedReason(pd), exact: false };
  return { bytes: Buffer.alloc(0), exact: true };
}

/** A response's `content`; `declared`: the response said it has a body (bodySize/size > 0). */
export function responseBody(content: Json | undefined): HarBody {
  if (!content) return { bytes: Buffer.alloc(0), exact: false };
  if (content._omitted === true) return { missing: omittedReason(content), exact: false };
  if (content.encoding === 'base64' && typeof content.text === 'string') return { bytes: Buffer.from(content.text, 'base64'), exact: true };
  if (typeof content.text === 'string') return textBody(content.text, content);
  const size = typeof content.size === 'number' ? content.size : 0;
  if (size > 0 || typeof content._sha256 === 'string') return { missing: `its ${size > 0 ? `${size}-byte ` : ''}body is not in the HAR (the tool that wrote it left it out)`, exact: false };
  return { bytes: Buffer.alloc(0), exact: true };
}

/** Text back to bytes: in its `_charset` (with each possible BOM) when a `_sha256` says which
 * bytes it came from, else UTF-8. */
function textBody(text: string, o: Json): HarBody {
  const want = typeof o._sha256 === 'string' ? o._sha256 : undefined;
  const charset = typeof o._charset === 'string' && iconv.encodingExists(o._charset) ? o._charset : 'utf-8';
  const utf8 = Buffer.from(text, 'utf8');
  if (!want) return { bytes: utf8, exact: false };
  const encoded = /^utf-?8$/i.test(charset) ? utf8 : iconv.encode(text, charset, { addBOM: false });
  for (const bom of BOMS) {
    const bytes = bom.length ? Buffer.concat([bom, encoded]) : encoded;
    if (sha256(bytes) === want) return { bytes, exact: true };
  }
  return { bytes: sha256(utf8) === want ? utf8 : encoded, exact: sha256(utf8) === want };
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A de-chunked body framed again as one chunk (the chunk sizes are not in a HAR). */
export function rechunk(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('0\r\n\r\n');
  return Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
}
