// Chooses how to show a message body: a short ordered list of views
// `{ name, maxScore, score(bytes, meta), render(bytes, meta) }`; the highest score wins (a view
// whose maxScore cannot beat the best so far is not asked), and if its render throws we fall
// back to text, then binary, with the reason in `notes` (STYLE.md "Body views").
// Views: empty, binary (magic numbers, control-character density, Content-Encoding),
// wer-report (<WERREPORT>; the usual flat shape is read by domain/report/flat-xml.ts, anything else by
// fast-xml-parser), level1-response (reply to POST /stage2.htm, windows-1252 per
// MS-CER2 §2.2.2), xml (always fast-xml-parser), text. It deliberately never decompresses, never lists CAB contents
// (domain/cab/cab.ts does) and never throws: every body gets some decoding.
// Work is bounded on the thread that serves sockets: the views that only show a body (text,
// XML, the binary sniff) see its first VIEW_DECODE_BYTES, and the decoding says so (`cut`, a
// note). Only a level-1 report, whose answer depends on all of it, is decoded whole. So a body
// of which only the first VIEW_DECODE_BYTES were kept (`Body.headOnly`) decodes exactly as all
// of it would, when told its whole length (`totalBytes`).
import type { Header } from '../../model.js';
import { decodeText, decodeTextPrefix, decodeWith, type CharsetRule, type DecodedPrefix, type DecodedText } from './charset.js';
import { formatSize } from '../../util/size.js';
import { parseXml, XmlParseError, type XmlNode } from './xml.js';
import { werReportFromXml, type WerReport } from '../report/report.js';
import { parseFlatXml } from '../report/flat-xml.js';
import { looksLikeLevel1Response, parseLevel1Response, type Level1Response } from '../server/level1-response.js';
import { append } from '../../util/append.js';

export type BodyKind = 'empty' | 'wer-report' | 'level1-response' | 'xml' | 'text' | 'binary';

export interface BodyContext {
  headers: Header[];
  isResponse: boolean;
  /** The request's method and target (for a response: the request it answers). */
  requestMethod?: string;
  requestTarget?: string;
}

export interface BodyDecoding {
  kind: BodyKind;
  /** `protocol`: windows-1252 because MS-CER2 §2.2.2 says so (level 1 responses). */
  charset?: { name: string; rule: CharsetRule | 'protocol' };
  text?: string;
  xml?: XmlNode[];
  report?: WerReport;
  level1?: Level1Response;
  notes: string[];
  /** The best view failed on these bytes (e.g. malformed XML) and a fallback was used. */
  failure?: { view: BodyKind; message: string };
  /** `text` holds the first `decodedBytes` of the body's `totalBytes` only (VIEW_DECODE_BYTES):
   * a body that large is shown, searched and checked by its beginning. */
  cut?: { decodedBytes: number; totalBytes: number };
}

/** Bytes of a body the showing views decode (a real level-1 report is a few hundred KB). */
export const VIEW_DECODE_BYTES = 1024 * 1024;

export interface ViewMeta {
  ctx: BodyContext;
  /** The body's length: more than `bytes` holds when only its first bytes were kept. */
  totalBytes: number;
  contentType?: string;
  /** The first VIEW_DECODE_BYTES decoded (all of a smaller body); once, on first use. */
  decoded(): DecodedPrefix;
  /** All of the body decoded, for the view whose meaning needs it all (a level-1 report). */
  whole(): DecodedText;
}

export interface BodyView {
  name: BodyKind;
  /** The highest score `score` can return: a view that cannot win is not asked. */
  maxScore: number;
  score(bytes: Buffer, meta: ViewMeta): number;
  render(bytes: Buffer, meta: ViewMeta): BodyDecoding;
}

const MAGIC: ReadonlyArray<[bytes: number[], note: string]> = [
  [[0x4d, 0x53, 0x43, 0x46], 'MS-CAB archive (MSCF)'],
  [[0x4d, 0x44, 0x4d, 0x50], 'minidump (MDMP)'],
  [[0x50, 0x4b, 0x03, 0x04], 'zip archive (PK)'],
  [[0x50, 0x4b, 0x05, 0x06], 'zip archive (PK, empty)'],
  [[0x1f, 0x8b], 'gzip data'],
];
/** Decoded characters inspected by the binary heuristic. */
export const BINARY_SNIFF_CHARS = 4096;

export function headerValue(headers: Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h[0].toLowerCase() === lower)?.[1];
}

export function detectMagic(bytes: Buffer): string | undefined {
  return MAGIC.find((e) => bytes.length >= e[0].length && e[0].every((b, i) => bytes[i] === b))?.[1];
}

function contentEncodingNote(meta: ViewMeta): string | undefined {
  const enc = headerValue(meta.ctx.headers, 'content-encoding')?.trim().toLowerCase();
  return enc && enc !== 'identity' ? `Content-Encoding ${enc}: shown as received, not decompressed` : undefined;
}

/** C0 controls other than TAB LF FF CR, DEL, U+FFFD: what looksBinary counts. */
const SUSPECT_CHAR = /[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]/;

/** NULs, many other controls, or many U+FFFD in the decoded text mean it is not text. */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, BINARY_SNIFF_CHARS);
  if (!SUSPECT_CHAR.test(n < text.length ? text.slice(0, n) : text)) return false; // nothing to count
  let controls = 0;
  let replacements = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) controls++;
    else if (c === 0xfffd) replacements++;
  }
  return n > 0 && (controls / n > 0.1 || replacements / n > 0.1);
}

function isStage2Post(ctx: BodyContext): boolean {
  const target = (ctx.requestTarget ?? '').split('?')[0] ?? '';
  return (ctx.requestMethod ?? '').toUpperCase() === 'POST' && /(^|[/\\])stage2\.htm$/i.test(target);
}

/** The text the showing views use: the body's first VIEW_DECODE_BYTES, `cut` when longer. */
function textish(meta: ViewMeta, bytes: Buffer): Pick<BodyDecoding, 'charset' | 'text' | 'cut'> {
  const d = meta.decoded();
  const out: Pick<BodyDecoding, 'charset' | 'text' | 'cut'> = { charset: { name: d.charset, rule: d.rule }, text: d.text };
  if (d.decodedBytes < meta.totalBytes) out.cut = { decodedBytes: d.decodedBytes, totalBytes: meta.totalBytes };
  return out;
}

/** Whether only a prefix of the body is decoded for the views. */
function isCut(meta: ViewMeta): boolean {
  return meta.totalBytes > VIEW_DECODE_BYTES;
}

const emptyView: BodyView = {
  name: 'empty',
  maxScore: 100,
  score: (bytes) => (bytes.length === 0 ? 100 : 0),
  render: () => ({ kind: 'empty', notes: [] }),
};

const binaryView: BodyView = {
  name: 'binary',
  maxScore: 95,
  score(bytes, meta) {
    if (detectMagic(bytes) || contentEncodingNote(meta)) return 95;
    return looksBinary(meta.decoded().text) ? 90 : 0;
  },
  render(bytes, meta) {
    const notes = [detectMagic(bytes), contentEncodingNote(meta)].filter((n): n is string => n !== undefined);
    if (notes.length === 0) notes.push('binary data (control characters in the decoded text)');
    return { kind: 'binary', notes };
  },
};

const werReportView: BodyView = {
  name: 'wer-report',
  maxScore: 80,
  // Over VIEW_DECODE_BYTES, only a level-1 report (a POST to stage2.htm) is read as one: its
  // answer, folder and checks need all of it. Anywhere else, so large a body is shown as text.
  score: (_bytes, meta) => ((!isCut(meta) || isStage2Post(meta.ctx)) && /<\s*WERREPORT[\s/>]/i.test(meta.decoded().text.slice(0, 2048)) ? 80 : 0),
  render(_bytes, meta) {
    const d = meta.whole();
    // the common flat shape is read directly; anything else (or malformed) by fast-xml-parser
    const xml = parseFlatXml(d.text) ?? parseXml(d.text);
    return { kind: 'wer-report', charset: { name: d.charset, rule: d.rule }, text: d.text, xml, report: werReportFromXml(xml), notes: [] };
  },
};

const level1View: BodyView = {
  name: 'level1-response',
  maxScore: 70,
  score(bytes, meta) {
    if (isCut(meta)) return 0; // a level-1 answer is a few lines
    const text = meta.decoded().text;
    if (meta.ctx.isResponse && isStage2Post(meta.ctx) && !text.trimStart().startsWith('<')) return 70;
    return looksLikeLevel1Response(text) ? 50 : 0;
  },
  render(bytes, meta) {
    const d = meta.decoded();
    let charset: NonNullable<BodyDecoding['charset']> = { name: d.charset, rule: d.rule };
    let text = d.text;
    if (d.rule !== 'bom' && d.rule !== 'utf16-pattern' && d.rule !== 'content-type') {
      charset = { name: 'windows-1252', rule: 'protocol' };
      text = decodeWith(bytes, 'windows-1252');
    }
    return { kind: 'level1-response', charset, text, level1: parseLevel1Response(text), notes: [] };
  },
};

const xmlView: BodyView = {
  name: 'xml',
  maxScore: 45,
  score(bytes, meta) {
    const type = (meta.contentType ?? '').toLowerCase();
    if (type.includes('html') || isCut(meta)) return 0; // a cut tree would be a false parse error
    const start = meta.decoded().text.trimStart();
    if (!start.startsWith('<')) return 0;
    return type.includes('xml') ? 45 : 40;
  },
  render(bytes, meta) {
    const base = textish(meta, bytes);
    return { kind: 'xml', charset: base.charset, text: base.text, xml: parseXml(base.text ?? ''), notes: [] };
  },
};

const textView: BodyView = {
  name: 'text',
  maxScore: 10,
  score: () => 10,
  render(bytes, meta) {
    return { kind: 'text', ...textish(meta, bytes), notes: [] };
  },
};

/** In priority order for equal scores. */
export const BODY_VIEWS: readonly BodyView[] = [emptyView, binaryView, werReportView, level1View, xmlView, textView];

function failureNote(view: BodyKind, e: unknown): string {
  if (e instanceof XmlParseError) return `XML parse failed${e.line === undefined ? ':' : ' at'} ${e.message}`;
  return `${view} view failed: ${e instanceof Error ? e.message : String(e)}`;
}

/** `totalBytes`: the body's length, when `bytes` are only its first bytes (a body kept in
 * part): it is then decoded as a body that long (its first VIEW_DECODE_BYTES, `cut`). */
export function decodeBody(bytes: Buffer, ctx: BodyContext, totalBytes = bytes.length): BodyDecoding {
  let decoded: DecodedPrefix | undefined;
  let whole: DecodedText | undefined;
  const contentType = headerValue(ctx.headers, 'content-type');
  const meta: ViewMeta = {
    ctx,
    totalBytes: Math.max(totalBytes, bytes.length),
    decoded: () => (decoded ??= decodeTextPrefix(bytes, VIEW_DECODE_BYTES, contentType, meta.totalBytes)),
    whole: () => (whole ??= isCut(meta) ? decodeText(bytes, contentType) : meta.decoded()),
  };
  if (contentType !== undefined) meta.contentType = contentType;
  // highest score wins; on a tie, the earlier view in BODY_VIEWS
  let best = textView;
  let bestScore = 0;
  for (const view of BODY_VIEWS) {
    if (view.maxScore <= bestScore) continue; // a tie goes to the earlier view anyway
    const score = safeScore(view, bytes, meta);
    if (score > bestScore) {
      best = view;
      bestScore = score;
    }
  }
  const notes: string[] = [];
  let failure: BodyDecoding['failure'];
  for (const view of new Set([best, textView, binaryView])) {
    try {
      const result = view.render(bytes, meta);
      if (notes.length) result.notes = append(notes, result.notes);
      if (result.cut) result.notes.push(cutNote(result.cut));
      if (failure) result.failure = failure;
      return result;
    } catch (e) {
      failure ??= { view: view.name, message: failureNote(view.name, e) };
      notes.push(`${failureNote(view.name, e)}; shown as ${view === textView ? 'binary' : 'text'}`);
    }
  }
  return failure ? { kind: 'binary', notes, failure } : { kind: 'binary', notes };
}

function cutNote(cut: NonNullable<BodyDecoding['cut']>): string {
  return `decoded the first ${formatSize(cut.decodedBytes)} of ${formatSize(cut.totalBytes)} (${cut.decodedBytes} of ${cut.totalBytes} bytes): the text shown, searched and checked is that part; the bytes are recorded whole`;
}

function safeScore(view: BodyView, bytes: Buffer, meta: ViewMeta): number {
  try {
    return view.score(bytes, meta);
  } catch {
    return 0;
  }
}
