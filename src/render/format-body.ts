// Terminal lines for one message body, from its BodyDecoding (domain/body/views.ts): a header line
// (length, view, charset and the rule that chose it, sha256 prefix), then the view — WER crash
// summary + XML, aligned level 1 response lines + what they mean, XML, escaped text, or a
// hexdump head for binary — and, with `hexDump`, a hexdump of the body. Also `toBodyJson` for
// NDJSON. Everything from the wire goes through escapeControl. It deliberately does no
// decoding of its own and prints no headers (pretty.ts does).
import type { Body } from '../model.js';
import type { CharsetRule } from '../domain/body/charset.js';
import type { BodyDecoding, BodyKind } from '../domain/body/views.js';
import { explainLevel1Response, type Level1Response } from '../domain/server/level1-response.js';
import { escapeControl } from '../util/escape.js';
import { formatHexdump } from './hexdump.js';
import { formatWerReport } from './format-report.js';
import { formatXml } from './format-xml.js';
import type { Paint } from './paint.js';
import { append, maxOf } from '../util/append.js';
import { formatSize } from '../util/size.js';

export interface FormatBodyOptions {
  /** Always add a hexdump of the body. */
  hexDump: boolean;
  /** Text and XML views stop after this many lines (default DEFAULT_MAX_TEXT_LINES). */
  maxTextLines?: number;
  /** Cap for the `hexDump` hexdump (default DEFAULT_MAX_HEX_BYTES). */
  maxHexBytes?: number;
  /** Lines shown right under a WER report's summary (its check findings). */
  afterReport?: string[];
  /** --redact: no hexdump of binary bodies (a name in its ASCII column could not be replaced). */
  omitBinary?: boolean;
  /** `-v`/`-vv`: what the body means (report summary, level-1 answer), not the body itself:
   * no XML, no text lines, no hexdump. */
  summaryOnly?: boolean;
}

export const DEFAULT_MAX_TEXT_LINES = 200;
export const DEFAULT_MAX_HEX_BYTES = 64 * 1024;
/** Bytes of hexdump shown for binary bodies without `hexDump`. */
export const BINARY_HEAD_BYTES = 256;

const KIND_LABELS: Record<BodyKind, string> = {
  empty: 'empty', 'wer-report': 'WER report', 'level1-response': 'level 1 response', xml: 'XML',
  text: 'text', binary: 'binary',
};

const RULE_LABELS: Record<CharsetRule | 'protocol', string> = {
  bom: 'BOM', 'utf16-pattern': 'no BOM, NUL pattern', 'content-type': 'Content-Type',
  'xml-declaration': 'XML declaration', utf8: 'valid UTF-8', fallback: 'fallback', protocol: 'MS-CER2 §2.2.2',
};

function headerLine(dec: BodyDecoding | undefined, body: Body, paint: Paint): string {
  const parts = [`${paint.bold('body')} ${body.length} byte${body.length === 1 ? '' : 's'}`];
  if (dec && body.length > 0) parts.push(KIND_LABELS[dec.kind]);
  if (dec?.charset) parts.push(`${escapeControl(dec.charset.name, paint)} (${RULE_LABELS[dec.charset.rule]})`);
  if (body.framing === 'chunked') parts.push('chunked');
  if (!body.complete) parts.push(paint.warn('incomplete'));
  if (body.length > 0) parts.push(paint.dim(`sha256 ${body.sha256.slice(0, 16)}…`));
  return parts.join(paint.dim(' · '));
}

function capped(lines: string[], max: number, paint: Paint): string[] {
  if (lines.length <= max) return lines;
  const more = lines.length - max;
  return [...lines.slice(0, max), paint.dim(`… ${more} more line${more === 1 ? '' : 's'}`)];
}

function textLines(text: string, paint: Paint): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => escapeControl(l, paint));
}

/** `Key = value` lines aligned on `=`, then warnings and the explanation. */
export function formatLevel1Response(r: Level1Response, paint: Paint): string[] {
  const width = maxOf(r.entries.map((e) => escapeControl(e.key).length), 0);
  const out = r.entries.map((e) => {
    const key = escapeControl(e.key);
    const brush = e.known !== undefined && e.known === e.key ? paint.key : paint.warn;
    const value = e.value === '' ? '' : ' ' + paint.value(escapeControl(e.value, paint));
    return `${brush(escapeControl(e.key, paint))}${' '.repeat(width - key.length)} =${value}`;
  });
  for (const w of r.warnings) out.push(`${paint.warn('!')} ${escapeControl(w, paint)}`);
  for (const s of explainLevel1Response(r)) out.push(`${paint.accent('→')} ${escapeControl(s, paint)}`);
  return out;
}

/** `totalBytes`: the body's length, when `data` is only the part of it kept. */
function hexLines(data: Buffer, maxBytes: number, paint: Paint, totalBytes = data.length): string[] {
  return formatHexdump(data, { maxBytes, totalBytes }, paint);
}

/** Why a body's bytes are not (all) in memory: over --max-body-bytes, a level-2 upload spooled
 * to disk for its CAB summary, or a body of which only the first bytes are kept (`dec`: its
 * decoding, which tells a text body's part, all that is decoded, from a binary body's). */
export function notKept(body: Body, dec?: BodyDecoding): string {
  if (body.headOnly) {
    const what = dec && dec.kind !== 'binary' ? 'text' : 'binary';
    return `${what} and over 1 MiB: only its first ${formatSize(body.head.length)} kept in memory${what === 'text' ? ', the part decoded' : ''} (--include-bodies keeps it whole)`;
  }
  return body.spooled ? 'a level-2 upload (PUT) over 1 MiB: spooled to disk for its CAB summary, not kept in memory'
    : 'too large to decode in memory (raise --max-body-bytes to decode it)';
}

export function formatBody(dec: BodyDecoding, body: Body, paint: Paint, opts: FormatBodyOptions): string[] {
  const maxLines = opts.maxTextLines ?? DEFAULT_MAX_TEXT_LINES;
  const maxHex = opts.maxHexBytes ?? DEFAULT_MAX_HEX_BYTES;
  const data = body.data;
  const why = notKept(body, dec);
  // A binary body kept in part is shown as a binary body is (its decoding is that of the part
  // kept), its hexdump sized like one; a body not kept at all has no decoding, and its first
  // bytes (BODY_HEAD_BYTES) are shown whole. A text body kept in part is shown as when kept
  // whole (its decoding is the same), with a line saying what is kept.
  if (body.headOnly && dec.kind === 'binary') return notKeptLines(dec, body, paint, opts, why, opts.hexDump ? maxHex : BINARY_HEAD_BYTES);
  if (data === undefined && body.length > 0 && !body.headOnly) return notKeptLines(undefined, body, paint, opts, why, body.head.length);
  const out = [headerLine(dec, body, paint)];
  for (const n of dec.notes) out.push(`${paint.dim('note:')} ${escapeControl(n, paint)}`);
  if (body.headOnly) out.push(paint.dim(why));
  const bytes = data ?? (body.headOnly ? body.head : Buffer.alloc(0));
  switch (dec.kind) {
    case 'empty':
      break;
    case 'wer-report':
      if (dec.report) append(append(out, capped(formatWerReport(dec.report, paint), maxLines, paint)), opts.afterReport ?? []);
      if (dec.report && !opts.summaryOnly) out.push('');
      if (dec.xml && !opts.summaryOnly) append(out, capped(formatXml(dec.xml, paint), maxLines, paint));
      break;
    case 'level1-response':
      if (dec.level1) append(out, capped(formatLevel1Response(dec.level1, paint), maxLines, paint));
      break;
    case 'xml':
      if (opts.summaryOnly) break;
      append(out, capped(formatXml(dec.xml ?? [], paint), maxLines, paint));
      break;
    case 'text':
      if (opts.summaryOnly) break;
      append(out, capped(textLines(dec.text ?? '', paint), maxLines, paint));
      break;
    case 'binary':
      if (opts.summaryOnly) return out;
      if (opts.omitBinary) out.push(paint.dim('binary bytes left out under --redact'));
      else append(out, hexLines(bytes, opts.hexDump ? maxHex : BINARY_HEAD_BYTES, paint));
      out.push(paint.dim(`${body.length} bytes, sha256 ${body.sha256}`));
      return out;
  }
  if (opts.hexDump && bytes.length > 0) append(out, [paint.dim('hexdump:'), ...hexLines(bytes, maxHex, paint, body.length)]);
  return out;
}

/** A body whose bytes are not all in memory: why, its first bytes as a hexdump (at most
 * `hexBytes`), how many more there were, and the length and sha256 that name all of it. */
function notKeptLines(dec: BodyDecoding | undefined, body: Body, paint: Paint, opts: FormatBodyOptions, why: string, hexBytes: number): string[] {
  const out = [headerLine(dec, body, paint)];
  for (const n of dec?.notes ?? []) out.push(`${paint.dim('note:')} ${escapeControl(n, paint)}`);
  if (opts.summaryOnly) return [...out, paint.dim(why)];
  if (opts.omitBinary) out.push(paint.warn(`${why}; bytes left out under --redact`));
  else {
    out.push(paint.warn(`${why}; first ${body.head.length} bytes:`));
    append(out, hexLines(body.head, hexBytes, paint));
    if (body.length > body.head.length) out.push(paint.dim(`… ${body.length - body.head.length} more bytes not kept`));
  }
  out.push(paint.dim(`${body.length} bytes, sha256 ${body.sha256}`));
  return out;
}

/** The body for NDJSON: plain JSON values only (no Buffers, no bigint). `withReport: false`
 * leaves out the WER report (NDJSON gives it its own event). A binary body over `inlineMax`
 * gets no base64 (`omitted: true`, a note): its length and sha256 name it, and a line of tens
 * of megabytes helps no jq script. */
export function toBodyJson(dec: BodyDecoding, body: Body, withReport = true, inlineMax = Infinity): object {
  const json: Record<string, unknown> = {
    length: body.length,
    sha256: body.sha256,
    complete: body.complete,
    framing: body.framing,
    kind: dec.kind,
  };
  const notes = [...dec.notes];
  if (body.headOnly && dec.kind === 'binary') {
    // Over 1 MiB: what a binary body that long gets when kept whole (base64 left out), unless
    // the output inlines more (then the bytes are missing and the note says why).
    json.kind = 'binary';
    json.omitted = true;
    notes.push(body.length > inlineMax ? `base64 left out: ${body.length} bytes is over ${formatSize(inlineMax)} (--include-bodies keeps it)` : `base64 left out: ${notKept(body, dec)}`);
    json.notes = notes;
    return json;
  }
  if (body.data === undefined && body.length > 0 && !body.headOnly) {
    json.kind = 'binary';
    if (body.spooled) json.omitted = true;
    notes.push(body.spooled ? `${notKept(body)}: base64 left out (--include-bodies keeps up to --max-body-bytes)` : 'too large to decode in memory (see --max-body-bytes)');
    json.notes = notes;
    return json;
  }
  if (dec.charset) {
    json.charset = dec.charset.name;
    json.charsetRule = dec.charset.rule;
  }
  if (dec.kind === 'binary') {
    if (body.data && body.length > inlineMax) {
      json.omitted = true;
      notes.push(`base64 left out: ${body.length} bytes is over ${formatSize(inlineMax)} (--include-bodies keeps it)`);
    } else if (body.data) json.base64 = body.data.toString('base64');
  } else if (dec.text !== undefined) {
    json.text = dec.text;
    if (dec.cut) json.decodedBytes = dec.cut.decodedBytes;
  }
  if (dec.report && withReport) json.report = dec.report;
  if (dec.level1) json.level1 = dec.level1;
  // A text body kept in part: the same as kept whole (the text is that of its first MiB either
  // way), and which part is kept.
  if (body.headOnly) notes.push(notKept(body, dec));
  json.notes = notes;
  return json;
}
