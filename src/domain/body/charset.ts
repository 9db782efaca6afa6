// Picks the character set of a body and decodes it with iconv-lite. Rules, first match wins:
// BOM → NUL pattern of BOM-less UTF-16 (MS-CER2 level 1 bodies are "Unicode", docs/protocol.md §3.1) →
// Content-Type charset → XML declaration (only on ASCII-compatible bytes) → valid UTF-8 →
// windows-1252. The result names the rule that fired so the user can see why. It deliberately
// never guesses beyond that (no statistical detection) and never rewrites the input bytes.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { doubleByteDecoder } from './double-byte.js';

export type CharsetRule = 'bom' | 'utf16-pattern' | 'content-type' | 'xml-declaration' | 'utf8' | 'fallback';

export interface CharsetDetection {
  /** Lower-case name iconv-lite understands, e.g. `utf-16le`, `utf-8`, `windows-1252`. */
  charset: string;
  rule: CharsetRule;
  /** Bytes of byte-order mark at the start (0, 2 or 3); not part of the decoded text. */
  bomLength: number;
}

export interface DecodedText extends CharsetDetection {
  text: string;
}

/** How many leading bytes the BOM-less UTF-16 sniffer looks at. */
export const UTF16_SNIFF_BYTES = 64;
export const FALLBACK_CHARSET = 'windows-1252';

/** The byte-order mark `bytes` start with, if any. */
export function detectBom(bytes: Buffer): CharsetDetection | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { charset: 'utf-8', rule: 'bom', bomLength: 3 };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { charset: 'utf-16le', rule: 'bom', bomLength: 2 };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { charset: 'utf-16be', rule: 'bom', bomLength: 2 };
  }
  return undefined;
}

/**
 * ASCII-range text in UTF-16LE has a zero high byte at every odd offset (BE: even). Ask for
 * at least two code units, zeros in at least half of the candidate slots and almost none in
 * the other ones, so binary data full of zeros does not qualify.
 */
function detectUtf16Pattern(bytes: Buffer): CharsetDetection | undefined {
  const n = Math.min(bytes.length, UTF16_SNIFF_BYTES) & ~1;
  const units = n / 2;
  if (units < 2) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  }
  const many = (z: number): boolean => z >= units / 2;
  const few = (z: number): boolean => z <= units / 8;
  if (many(oddZeros) && few(evenZeros)) return { charset: 'utf-16le', rule: 'utf16-pattern', bomLength: 0 };
  if (many(evenZeros) && few(oddZeros)) return { charset: 'utf-16be', rule: 'utf16-pattern', bomLength: 0 };
  return undefined;
}

/** Whether a charset name (iconv-lite's, or detectCharset's) is UTF-16 or UCS-2. */
export function isUtf16Charset(name: string): boolean {
  return /^(utf-?16|ucs-?2)/i.test(name);
}

/** Loads iconv-lite's table of encodings (a dozen module files it reads on first use). A
 * thread that serves sockets calls this before its first client: under a burst of clients
 * holding every descriptor, that first load inside a report's decoding failed (EMFILE), the
 * connection's decoding stopped and its report was never answered. */
export function loadCharsets(): void {
  iconv.encodingExists('utf-8');
}

/** The `charset` parameter of a Content-Type value (RFC 9110 §8.3), if iconv-lite knows it. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const name = (m?.[1] ?? m?.[2])?.trim().toLowerCase();
  // iconv-lite ignores everything but letters and digits when it looks a name up, so
  // "windo\x1aws1252" would pass; only a real charset token (RFC 2978 mime-charset) may.
  return name && MIME_CHARSET.test(name) && knownCharset(name) ? name : undefined;
}

/** Whether `name` can be decoded: a double-byte charset is answered without iconv-lite, which
 * would build its table to say yes (double-byte.ts). */
function knownCharset(name: string): boolean {
  return doubleByteDecoder(name) !== undefined || iconv.encodingExists(name);
}

/** RFC 2978 §2.3 mime-charset characters (lower-cased), at most 40 of them. */
const MIME_CHARSET = /^[a-z0-9!#$%&'+^_`{}~-]{1,40}$/;

/**
 * `encoding="..."` of an XML declaration at the very start. Only consulted for
 * ASCII-compatible bytes; a declared UTF-16/32 cannot be true there and is ignored.
 */
function charsetFromXmlDeclaration(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 256).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']/.exec(head);
  const name = m?.[1]?.toLowerCase();
  if (!name || /^(utf-?16|utf-?32|ucs-?2|ucs-?4)/.test(name)) return undefined;
  return knownCharset(name) ? name : undefined;
}

export function detectCharset(bytes: Buffer, contentType?: string): CharsetDetection {
  const bom = detectBom(bytes);
  if (bom) return bom;
  const utf16 = detectUtf16Pattern(bytes);
  if (utf16) return utf16;
  const fromHeader = charsetFromContentType(contentType);
  if (fromHeader) return { charset: fromHeader, rule: 'content-type', bomLength: 0 };
  const fromDecl = charsetFromXmlDeclaration(bytes);
  if (fromDecl) return { charset: fromDecl, rule: 'xml-declaration', bomLength: 0 };
  if (isUtf8(bytes)) return { charset: 'utf-8', rule: 'utf8', bomLength: 0 };
  return { charset: FALLBACK_CHARSET, rule: 'fallback', bomLength: 0 };
}

/**
 * UTF-16LE text whose code units are all below U+0100 (every WER report we have seen), as a
 * one-byte string: the same characters iconv-lite would return, but V8 stores it as Latin-1 —
 * half the memory for the text and every slice of it, and cheaper case mapping downstream.
 * Undefined as soon as one code unit is wider.
 */
function decodeUtf16leNarrow(body: Buffer): string | undefined {
  const n = body.length >>> 1;
  const narrow = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    if (body[2 * i + 1] !== 0) return undefined;
    narrow[i] = body[2 * i]!;
  }
  return narrow.toString('latin1');
}

/**
 * Decode with a known charset. A dangling odd byte of UTF-16 becomes U+FFFD instead of being
 * dropped silently (iconv-lite would drop it).
 */
export function decodeWith(bytes: Buffer, charset: string, bomLength = 0): string {
  const body = bytes.subarray(bomLength);
  if (charset === 'utf-16le' && body.length % 2 === 0) {
    const narrow = decodeUtf16leNarrow(body);
    if (narrow !== undefined) return narrow;
  }
  // Valid UTF-8 reads the same through every decoder: Node's own, without iconv-lite's
  // stream decoder (most non-WER bodies are ASCII or UTF-8). Invalid bytes stay iconv-lite's.
  if ((charset === 'utf-8' || charset === 'utf8') && isUtf8(body)) return body.toString('utf8');
  const doubleByte = doubleByteDecoder(charset);
  if (doubleByte) return doubleByte.decode(body);
  const name = iconv.encodingExists(charset) ? charset : FALLBACK_CHARSET;
  if (isUtf16Charset(name) && body.length % 2 === 1) {
    return iconv.decode(body.subarray(0, body.length - 1), name, { stripBOM: false }) + '\uFFFD';
  }
  return iconv.decode(body, name, { stripBOM: false });
}

export function decodeText(bytes: Buffer, contentType?: string): DecodedText {
  const found = detectCharset(bytes, contentType);
  const text = decodeWith(bytes, found.charset, found.bomLength);
  return { charset: found.charset, rule: found.rule, bomLength: found.bomLength, text };
}

/**
 * The first bytes of a longer body, without a UTF-8 character cut at their end: valid UTF-8
 * then stays valid, so the prefix gets the charset the whole body would (a cut character would
 * make it windows-1252 and its text mojibake). Unchanged when no shorter
 * cut (by at most three bytes) is valid UTF-8.
 */
export function withoutCutCharacter(prefix: Buffer): Buffer {
  if (isUtf8(prefix)) return prefix;
  const whole = wholeUtf8Length(prefix);
  if (whole === prefix.length) return prefix;
  const shorter = prefix.subarray(0, whole);
  return isUtf8(shorter) ? shorter : prefix;
}

/** How many of `bytes` end with a whole UTF-8 character: a lead byte (C2–F4) among the last
 * three whose character needs more bytes than follow it is left out, with what follows it. */
function wholeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back < bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its character starts further back
    if (b < 0xc2 || b > 0xf4) return bytes.length; // no lead byte: nothing cut here
    const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return needs > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** A decoding of at most the first `limit` bytes: `decodedBytes` says how many were decoded. */
export interface DecodedPrefix extends DecodedText {
  decodedBytes: number;
}

/**
 * At most the first `limit` bytes of a body of `totalBytes` (`bytes` may hold only its first
 * `limit` or more: a body kept in part), decoded. A longer body is judged and decoded by those
 * first `limit` bytes alone, so the part kept of a long body decodes exactly as all of it would:
 * the charset is told by them (a UTF-8 character cut at the limit left out, so valid UTF-8 stays
 * UTF-8), and the text ends where a character starts (UTF-8) or at a whole code unit (UTF-16),
 * so the cut adds no U+FFFD of its own.
 */
export function decodeTextPrefix(bytes: Buffer, limit: number, contentType?: string, totalBytes = bytes.length): DecodedPrefix {
  if (totalBytes <= limit && bytes.length <= limit) {
    const found = detectCharset(bytes, contentType);
    const text = decodeWith(bytes, found.charset, found.bomLength);
    return { charset: found.charset, rule: found.rule, bomLength: found.bomLength, text, decodedBytes: bytes.length };
  }
  const prefix = bytes.subarray(0, limit);
  const found = detectCharset(withoutCutCharacter(prefix), contentType);
  let end = Math.max(prefix.length, Math.min(found.bomLength, bytes.length));
  if (isUtf16Charset(found.charset)) end -= (end - found.bomLength) % 2;
  else if (/^utf-?8$/i.test(found.charset)) end = found.bomLength + wholeUtf8Length(prefix.subarray(found.bomLength));
  const text = decodeWith(bytes.subarray(0, end), found.charset, found.bomLength);
  return { charset: found.charset, rule: found.rule, bomLength: found.bomLength, text, decodedBytes: end };
}

/**
 * True when `text`, encoded again in `charset` after the BOM bytes, gives back exactly `bytes`:
 * the decoding lost nothing (no U+FFFD for bad bytes, no dropped byte). Exports that keep
 * only the text (HAR) use it to choose base64 instead of silently corrupted text.
 */
export function roundTrips(text: string, bytes: Buffer, charset: string, bomLength = 0): boolean {
  const name = iconv.encodingExists(charset) ? charset : FALLBACK_CHARSET;
  const body = bytes.subarray(bomLength);
  if (name === 'utf-8' || name === 'utf8') return Buffer.byteLength(text, 'utf8') === body.length && Buffer.from(text, 'utf8').equals(body);
  return iconv.encode(text, name, { addBOM: false }).equals(body);
}
