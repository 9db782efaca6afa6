// Parses the head of an HTTP/1.1 message (RFC 9112 §2–§5): request line, status line and header
// lines, line by line so the framer can check each line the moment its LF arrives. Header helpers
// (`getHeader`, `hasToken`, ...) and the excerpt formatter used in problem messages live here too.
// It does not find where a head ends or decide body length (framer.ts, body-length.ts), and it
// never throws on bad input: errors come back as values with a stable code.
import type { Header, MessageHead } from '../../model.js';
import type { FramerMode } from './framer-api.js';

export type HeadKind = 'request' | 'response';

export type HeadProblemCode = 'bad-request-line' | 'bad-status-line' | 'bad-header';

export interface HeadProblem {
  code: HeadProblemCode;
  message: string;
}

export type StartLine =
  | { kind: 'request'; method: string; target: string; version: string }
  | { kind: 'response'; version: string; status: number; reason: string };

/** How many bytes of a line a prefix check sees. Fixed, so a check gives the same answer (and
 * the same message) however the bytes were split. */
export const PREFIX_BYTES = 16;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const HTTP_SLASH = Buffer.from('HTTP/', 'latin1');
const REQUEST_LINE = '"METHOD target HTTP/x.y"';
const STATUS_LINE = '"HTTP/x.y NNN reason"';
const TLS_HINT =
  ' — looks like a TLS ClientHello: the client is speaking HTTPS/TLS; wer-sniff expects plain HTTP (CorporateWERUseSSL?)';

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** Escapes a byte excerpt for a one-line message: printable ASCII as is, `\r` `\n` `\t`, else `\xNN`. */
export function formatExcerpt(bytes: Buffer, max = 60): string {
  let out = '';
  for (const b of bytes) {
    const s =
      b === CR ? '\\r' : b === LF ? '\\n' : b === HT ? '\\t'
        : b >= 0x20 && b < 0x7f ? String.fromCharCode(b)
          : `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length + s.length > max) return `"${out}…"`;
    out += s;
  }
  return `"${out}"`;
}

/** The line without its LF and one CR before it (RFC 9112 §2.2 lets us accept a bare LF). */
export function stripEol(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.subarray(0, end);
}

function startsWithHttp(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes.subarray(0, 5).equals(HTTP_SLASH);
}

function looksLikeTls(bytes: Buffer): boolean {
  return bytes[0] === 0x16 && bytes[1] === 0x03;
}

/** Which kind of start line `prefix` (the first bytes of the line) opens. `auto`: `HTTP/` → response. */
export function detectKind(prefix: Buffer, mode: FramerMode): HeadKind {
  if (mode !== 'auto') return mode;
  return startsWithHttp(prefix) ? 'response' : 'request';
}

/**
 * Fail fast on the first bytes of a start line, before its LF arrives (a TLS ClientHello may
 * never contain one). Only looks at `prefix` (≤ PREFIX_BYTES): a request must open with a
 * token and a space, a response with `HTTP/`. The rest is checked by `parseStartLine`.
 */
export function checkStartPrefix(prefix: Buffer, kind: HeadKind): HeadProblem | undefined {
  const p = prefix.subarray(0, PREFIX_BYTES);
  if (kind === 'response') {
    const n = Math.min(5, p.length);
    if (p.subarray(0, n).equals(HTTP_SLASH.subarray(0, n))) return undefined;
    return {
      code: 'bad-status-line',
      message: `expected a status line ${STATUS_LINE}, saw ${formatExcerpt(p)}${looksLikeTls(p) ? TLS_HINT : ''}`,
    };
  }
  for (let i = 0; i < p.length; i++) {
    const b = p[i]!;
    if (b === SP && i > 0) return undefined;
    if ((b === CR || b === LF) && i > 0) return undefined; // "no space" is parseStartLine's to say
    if (TCHAR[b] === 1) continue;
    let hint = '';
    if (looksLikeTls(p)) hint = TLS_HINT;
    else if (startsWithHttp(p)) hint = ' — looks like a response (is this the server side?)';
    return { code: 'bad-request-line', message: `expected a request line ${REQUEST_LINE}, saw ${formatExcerpt(p)}${hint}` };
  }
  return undefined;
}

const VERSION = /^HTTP\/\d\.\d$/;
const STATUS = /^(HTTP\/\d\.\d) +(\d{3})(?: (.*))?$/s;

function hasCtl(s: string): boolean {
  return /[\x00-\x1f\x7f]/.test(s);
}

/** RFC 9112 §3 (request-line) and §4 (status-line). `line` is without its line end. */
export function parseStartLine(line: Buffer, kind: HeadKind): StartLine | HeadProblem {
  const text = line.toString('latin1');
  if (kind === 'response') {
    const m = STATUS.exec(text);
    if (!m) return { code: 'bad-status-line', message: `expected a status line ${STATUS_LINE}, saw ${formatExcerpt(line)}` };
    return { kind: 'response', version: m[1]!, status: Number(m[2]), reason: m[3] ?? '' };
  }
  const bad = (what: string): HeadProblem => ({ code: 'bad-request-line', message: `expected ${what}, saw ${formatExcerpt(line)}` });
  // RFC 9112 §3: split on the first and the last SP, so a target with stray spaces still parses.
  const first = text.indexOf(' ');
  const last = text.lastIndexOf(' ');
  if (first <= 0) return bad(`a request line ${REQUEST_LINE}`);
  if (last === first) return bad(`"HTTP/x.y" at the end of a request line ${REQUEST_LINE}`);
  const method = text.slice(0, first);
  const target = text.slice(first + 1, last).replace(/^ +| +$/g, '');
  const version = text.slice(last + 1);
  for (let i = 0; i < method.length; i++) {
    if (TCHAR[method.charCodeAt(i)] !== 1) return bad(`a method token in a request line ${REQUEST_LINE}`);
  }
  if (target === '' || hasCtl(target)) return bad(`a request-target without control characters in ${REQUEST_LINE}`);
  if (!VERSION.test(version)) return bad(`"HTTP/x.y" at the end of a request line ${REQUEST_LINE}`);
  return { kind: 'request', method, target, version };
}

function isOws(c: number): boolean {
  return c === SP || c === HT;
}

/** Without leading and trailing SP/HT (RFC 9110 §5.6.3 OWS). */
function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * RFC 9112 §5: one header line (without its line end), appended to `headers`. A line opening
 * with SP/HT is an obs-fold (§5.2) and is joined to the previous value with one SP.
 * Returns true when it added a header, false when it folded, or a problem.
 */
export function parseHeaderLine(line: Buffer, headers: Header[]): boolean | HeadProblem {
  const text = line.toString('latin1');
  if (line[0] === SP || line[0] === HT) {
    const prev = headers[headers.length - 1];
    if (!prev) {
      return { code: 'bad-header', message: `expected a header line "name: value" after the start line, saw whitespace first: ${formatExcerpt(line)}` };
    }
    const more = trimOws(text);
    prev[1] = prev[1] === '' ? more : more === '' ? prev[1] : `${prev[1]} ${more}`;
    return false;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { code: 'bad-header', message: `expected a header line "name: value" (no colon), saw ${formatExcerpt(line)}` };
  const name = text.slice(0, colon);
  let ok = name.length > 0;
  for (let i = 0; ok && i < name.length; i++) ok = TCHAR[name.charCodeAt(i)] === 1;
  if (!ok) {
    return { code: 'bad-header', message: `expected a header name token before ":" (no spaces or control characters), saw ${formatExcerpt(line)}` };
  }
  headers.push([name, trimOws(text.slice(colon + 1))]);
  return true;
}

export type ParsedHead =
  | { ok: true; head: MessageHead; /** Offset in `raw` of each header's (first) line. */ headerOffsets: number[] }
  | { ok: false; problem: HeadProblem; /** Offset in `raw` of the offending line. */ at: number };

/** A whole head (start line + header lines + blank line) into a RequestHead/ResponseHead. */
export function parseHead(raw: Buffer, mode: FramerMode = 'auto'): ParsedHead {
  let pos = 0;
  let start: StartLine | undefined;
  const headers: Header[] = [];
  const headerOffsets: number[] = [];
  while (pos < raw.length) {
    const lf = raw.indexOf(LF, pos);
    const next = lf < 0 ? raw.length : lf + 1;
    const line = stripEol(raw.subarray(pos, next));
    if (!start) {
      const kind = detectKind(line, mode);
      const r = checkStartPrefix(line, kind) ?? parseStartLine(line, kind);
      if ('code' in r) return { ok: false, problem: r, at: pos };
      start = r;
    } else if (line.length === 0) {
      return { ok: true, head: buildHead(start, headers, raw.subarray(0, next)), headerOffsets };
    } else {
      const r = parseHeaderLine(line, headers);
      if (typeof r !== 'boolean') return { ok: false, problem: r, at: pos };
      if (r) headerOffsets.push(pos);
    }
    pos = next;
  }
  return { ok: false, problem: { code: 'bad-header', message: 'expected a blank line ending the head, saw the end of the bytes' }, at: raw.length };
}

export function buildHead(start: StartLine, headers: Header[], raw: Buffer): MessageHead {
  return start.kind === 'request'
    ? { kind: 'request', method: start.method, target: start.target, version: start.version, headers, raw }
    : { kind: 'response', version: start.version, status: start.status, reason: start.reason, headers, raw };
}

/** Whether header name `name` is `lower` (a lower-case name), case-insensitive. Names of
 * another length are told apart without making a lower-case copy of them. */
export function isHeaderName(name: string, lower: string): boolean {
  return name.length === lower.length && (name === lower || name.toLowerCase() === lower);
}

/** The first value of header `name` (case-insensitive), or undefined. */
export function getHeader(headers: readonly Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find((h) => isHeaderName(h[0], n))?.[1];
}

/** Every value of header `name` (case-insensitive), in order. */
export function getHeaderAll(headers: readonly Header[], name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter((h) => isHeaderName(h[0], n)).map((h) => h[1]);
}

/** The comma-separated elements of every `name` header, trimmed, empty ones dropped (RFC 9110 §5.6.1). */
export function getHeaderList(headers: readonly Header[], name: string): string[] {
  return getHeaderAll(headers, name).flatMap((v) => v.split(',')).map(trimOws).filter((s) => s !== '');
}

/** Whether a comma-list header (Connection, Transfer-Encoding, Expect) holds `token`, case-insensitive. */
export function hasToken(headers: readonly Header[], name: string, token: string): boolean {
  const t = token.toLowerCase();
  return getHeaderList(headers, name).some((e) => e.toLowerCase() === t);
}
