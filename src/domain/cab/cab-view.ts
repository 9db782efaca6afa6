// What is inside a level-2 CAB, for people: the listing, and per file a summary by kind —
// WER metadata XML (like the level-1 report), minidumps (header, system, exception, modules),
// text files (charset-detected, first lines, each line cut to a width). Pure: the CAB's bytes
// in, plain objects out. Built from extraction events (CabViewBuilder), so one pass over the
// cabinet can feed this view and a writer at once; only what a summary needs is held: the
// first CAB_DUMP_HOLD_BYTES of a minidump, the first CAB_TEXT_HOLD_BYTES of anything else.
import { parseCab, type Cab, type CabFile } from './cab.js';
import { extractCabStream, EXPANSION_CODE, type ExtractEvent } from './cab-extract.js';
import { parseMinidump, type DumpBytes, type MinidumpSummary } from '../minidump/minidump.js';
import { looksLikeReportWer, parseReportWer, type ReportWerSummary } from '../report/report-wer.js';
import { isWerMetadata, parseWerMetadata, type WerMetadata } from '../report/metadata.js';
import { decodeText } from '../body/charset.js';
import { lineNaming, summariseWerDataFile, werDataFileKind, type WerDataFileSummary } from '../report/wer-data-files.js';

export interface CabTextPreview {
  charset: string;
  rule: string;
  /** The first lines, each at most CAB_TEXT_PREVIEW_CHARS characters. */
  lines: string[];
  /** Lines in the decoded part (the whole file unless `unreadBytes`). */
  totalLines: number;
  /** Characters cut from the end of each line in `lines` (only when some line was cut). */
  cutChars?: number[];
  /** Bytes after the decoded part that were not read for the preview. */
  unreadBytes?: number;
}

export interface CabEntrySummary {
  name: string;
  size: number;
  kind: 'metadata' | 'minidump' | 'text' | 'binary' | 'unreadable';
  error?: { code: string; message: string };
  metadata?: WerMetadata;
  minidump?: MinidumpSummary;
  /** A Report.wer text file: its event, time and signature (the text preview stays too). */
  reportWer?: ReportWerSummary;
  /** FileVer.txt, wql.txt, registry.txt (the extra data a level-1 answer can ask for). */
  dataFile?: WerDataFileSummary;
  /** Text files: how they were decoded and their first lines. */
  text?: CabTextPreview;
  notes: string[];
}

export interface CabView {
  cab: Cab;
  entries: CabEntrySummary[];
}

export const CAB_TEXT_PREVIEW_LINES = 8;
/** Characters shown of one preview line: a 20 MiB one-line Version.txt prints one line. */
export const CAB_TEXT_PREVIEW_CHARS = 200;
/** Bytes of a file that is not a minidump kept for its summary (metadata XML is a few KB). */
export const CAB_TEXT_HOLD_BYTES = 1024 * 1024;
/** Bytes of a minidump held for its summary. Its header, directory, system info, exception
 * and module list come first (the memory it captured follows them), so a heap dump of
 * hundreds of MB is summarised from its beginning; what lies beyond is counted as not read. */
export const CAB_DUMP_HOLD_BYTES = 16 * 1024 * 1024;
const TEXT_NAME = /(\.txt|\.xml|\.log|\.csv|\.ini|\.reg|\.wer)$/i;
const DUMP_NAME = /\.(mdmp|dmp|hdmp)$/i;

export function isCab(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.toString('latin1', 0, 4) === 'MSCF';
}

/** How far into a folder the view decodes, and how many bytes it holds at once: a real CAB's
 * contents fit easily, while a crafted one cannot fill memory. Files beyond it are listed as
 * unreadable ('too-large'); `--save-dir` and `wer-sniff cab --extract` are not limited by it. */
export const CAB_VIEW_MAX_FOLDER_BYTES = 256 * 1024 * 1024;

interface Collecting { parts: Buffer[]; held: number; seen: number; dump: boolean; dropped: boolean }

/** Where a minidump's bytes can be read whole once its 'end' event came (its extracted copy on
 * disk): it is then summarised by reading only the ranges its directory points at, and the
 * view holds no more of it than of a text file. Undefined: summarised from what was held. */
export type DumpAt = (file: CabFile) => DumpBytes | undefined;

/** Builds a CabView from extraction events (see extractCabStream); wants() says which files
 * it needs decoded. Every file of the cabinet gets an entry, in cabinet order. */
export class CabViewBuilder {
  private readonly entries: (CabEntrySummary | undefined)[];
  private readonly open = new Map<number, Collecting>();
  private held = 0;
  /** FileVer.txt texts (within CAB_TEXT_HOLD_BYTES each), searched for the faulting module
   * once every file is summarised: the minidump naming it may come later in the cabinet. */
  private readonly fileVerTexts = new Map<number, string>();

  constructor(private readonly cab: Cab, private readonly previewLines = CAB_TEXT_PREVIEW_LINES, private readonly maxBytes = CAB_VIEW_MAX_FOLDER_BYTES, private readonly dumpAt?: DumpAt) {
    this.entries = cab.files.map(() => undefined);
  }

  wants(f: CabFile): boolean {
    return f.uoffFolderStart + f.size <= this.maxBytes;
  }

  take(ev: ExtractEvent): void {
    const f = this.cab.files[ev.file]!;
    if (!this.wants(f)) {
      // Not decoded for the view, but a writer's extraction of it hit the cabinet's budget.
      if (ev.type === 'end' && ev.error?.code === EXPANSION_CODE) this.entries[ev.file] = { name: f.name, size: f.size, kind: 'unreadable', error: ev.error, notes: [] };
      return;
    }
    let c = this.open.get(ev.file);
    if (!c) this.open.set(ev.file, (c = { parts: [], held: 0, seen: 0, dump: false, dropped: false }));
    if (ev.type === 'data') return this.collect(c, ev.data);
    this.open.delete(ev.file);
    this.held -= c.held;
    if (ev.error) {
      this.entries[ev.file] = { name: f.name, size: f.size, kind: 'unreadable', error: ev.error, notes: [] };
    } else if (c.dropped) {
      this.entries[ev.file] = { name: f.name, size: f.size, kind: 'unreadable', notes: [], error: { code: 'too-large', message: `the view holds at most ${this.maxBytes} bytes of files at once; this one is listed, not summarised` } };
    } else {
      const ranged = c.dump ? this.dumpAt?.(f) : undefined;
      const data = ranged ? undefined : Buffer.concat(c.parts, c.held);
      const entry = ranged ? { name: f.name, size: f.size, kind: 'minidump' as const, minidump: parseMinidump(ranged), notes: [] }
        : summariseFile(f.name, data!, this.previewLines, f.size);
      if (entry.dataFile?.kind === 'file-versions' && data) this.fileVerTexts.set(ev.file, decodeText(data).text);
      this.entries[ev.file] = entry;
    }
  }

  private collect(c: Collecting, data: Buffer): void {
    if (c.dropped) return;
    const before = c.seen;
    c.seen += data.length;
    // A minidump's first CAB_DUMP_HOLD_BYTES are held, of anything else CAB_TEXT_HOLD_BYTES.
    if (before < 4 && c.seen >= 4) c.dump = Buffer.concat([...c.parts, data]).toString('latin1', 0, 4) === 'MDMP';
    // With dumpAt, a dump is read from its copy on disk: only a fallback beginning is held.
    const hold = c.dump && !this.dumpAt ? CAB_DUMP_HOLD_BYTES : CAB_TEXT_HOLD_BYTES;
    const room = c.seen < 4 ? data.length : Math.max(0, hold - before);
    const keep = Math.min(room, data.length);
    if (keep === 0) return;
    if (this.held + keep > this.maxBytes) {
      c.dropped = true;
      this.held -= c.held;
      c.parts = [];
      c.held = 0;
      return;
    }
    // A copy: the event's bytes may be a view into the cabinet or a decoder's buffer.
    c.parts.push(Buffer.from(data.subarray(0, keep)));
    c.held += keep;
    this.held += keep;
  }

  finish(): CabView {
    const tooLarge = (f: CabFile): CabEntrySummary => ({
      name: f.name, size: f.size, kind: 'unreadable', notes: [],
      error: { code: 'too-large', message: `ends ${f.uoffFolderStart + f.size} bytes into folder ${f.folder ?? f.iFolder}, beyond the ${this.maxBytes} bytes the view decodes; the CAB is kept whole, \`wer-sniff cab --extract\` extracts it` },
    });
    const entries = this.cab.files.map((f, i) => this.entries[i] ?? (this.wants(f)
      ? { name: f.name, size: f.size, kind: 'unreadable' as const, notes: [], error: { code: 'not-extracted', message: 'no bytes were decoded for it' } }
      : tooLarge(f)));
    markFaultingModule(entries, this.fileVerTexts);
    return { cab: this.cab, entries };
  }
}

/** The faulting module's file name: the minidump's exception module, else Report.wer's
 * "Fault Module Name" signature value. */
function faultingModuleName(entries: CabEntrySummary[]): string | undefined {
  for (const e of entries) {
    const m = e.minidump?.exception?.module?.name;
    if (m) return m.split(/[\\/]/).pop();
  }
  for (const e of entries) {
    const sig = e.reportWer?.signature.find((s) => /fault(ing)?\s*module\s*name/i.test(s.name));
    if (sig?.value) return sig.value.split(/[\\/]/).pop();
  }
  return undefined;
}

/** Sets FileVer.txt's `faultingModule` to the line naming the faulting module. */
function markFaultingModule(entries: CabEntrySummary[], texts: Map<number, string>): void {
  if (texts.size === 0) return;
  const name = faultingModuleName(entries);
  if (!name) return;
  for (const [i, text] of texts) {
    const d = entries[i]?.dataFile;
    const line = lineNaming(text, name);
    if (d?.kind === 'file-versions' && line) d.faultingModule = line;
  }
}

export function parseCabView(buf: Buffer, previewLines = CAB_TEXT_PREVIEW_LINES, maxFolderBytes = CAB_VIEW_MAX_FOLDER_BYTES): CabView {
  const cab = parseCab(buf);
  const view = new CabViewBuilder(cab, previewLines, maxFolderBytes);
  if (cab.header) for (const ev of extractCabStream(buf, cab, { want: (f) => view.wants(f) })) view.take(ev);
  return cab.header ? view.finish() : { cab, entries: [] };
}

/** Summary of one file from its bytes; `size` is its real size when `data` is only its
 * beginning (a long text file). */
export function summariseFile(name: string, data: Buffer, previewLines = CAB_TEXT_PREVIEW_LINES, size = data.length): CabEntrySummary {
  const base = { name, size, notes: [] as string[] };
  if (data.length >= 4 && data.toString('latin1', 0, 4) === 'MDMP') {
    return { ...base, kind: 'minidump', minidump: parseMinidump(data, size) };
  }
  if (DUMP_NAME.test(name)) {
    base.notes.push('named like a dump but has no MDMP signature');
    return { ...base, kind: 'binary' };
  }
  const decoded = decodeText(data);
  const textual = TEXT_NAME.test(name) || !/[\u0000-\u0008\u000e-\u001f]/.test(decoded.text.slice(0, 4096));
  if (!textual) return { ...base, kind: 'binary' };
  const unread = size - data.length;
  if (isWerMetadata(decoded.text) && unread === 0) {
    try {
      return { ...base, kind: 'metadata', metadata: parseWerMetadata(decoded.text), text: preview(decoded, previewLines, unread) };
    } catch (e) {
      base.notes.push(`metadata XML did not parse (${(e as Error).message}); shown as text`);
    }
  }
  const reportWer = looksLikeReportWer(name, decoded.text) ? parseReportWer(decoded.text) : undefined;
  const dataKind = werDataFileKind(name);
  const dataFile = dataKind ? summariseWerDataFile(dataKind, decoded.text) : undefined;
  return { ...base, kind: 'text', text: preview(decoded, previewLines, unread), ...(reportWer ? { reportWer } : {}), ...(dataFile ? { dataFile } : {}) };
}

function preview(d: { text: string; charset: string; rule: string }, n: number, unread: number): CabTextPreview {
  const all = d.text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const cutChars: number[] = [];
  const lines = all.slice(0, n).map((l) => {
    if (l.length <= CAB_TEXT_PREVIEW_CHARS) return (cutChars.push(0), l);
    // Never split a surrogate pair (an emoji) in half.
    const end = /[\ud800-\udbff]/.test(l[CAB_TEXT_PREVIEW_CHARS - 1]!) ? CAB_TEXT_PREVIEW_CHARS - 1 : CAB_TEXT_PREVIEW_CHARS;
    cutChars.push(l.length - end);
    return l.slice(0, end);
  });
  const out: CabTextPreview = { charset: d.charset, rule: d.rule, lines, totalLines: all.length };
  if (cutChars.some((c) => c > 0)) out.cutChars = cutChars;
  if (unread > 0) out.unreadBytes = unread;
  return out;
}
