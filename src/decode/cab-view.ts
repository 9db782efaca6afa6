// What is inside a level-2 CAB, for people: the listing, and per file a summary by kind —
// WER metadata XML (like the level-1 report), minidumps (header, system, exception, modules),
// text files (charset-detected, first lines). Pure: the CAB's bytes in, plain objects out.
import { parseCab, type Cab } from './wer/cab.js';
import { extractCab, type ExtractedFile } from './wer/cab-extract.js';
import { parseMinidump, type MinidumpSummary } from './wer/minidump.js';
import { isWerMetadata, parseWerMetadata, type WerMetadata } from './wer/metadata.js';
import { decodeText } from './charset.js';

export interface CabEntrySummary {
  name: string;
  size: number;
  kind: 'metadata' | 'minidump' | 'text' | 'binary' | 'unreadable';
  error?: { code: string; message: string };
  metadata?: WerMetadata;
  minidump?: MinidumpSummary;
  /** Text files: how they were decoded and their first lines. */
  text?: { charset: string; rule: string; lines: string[]; totalLines: number };
  notes: string[];
}

export interface CabView {
  cab: Cab;
  entries: CabEntrySummary[];
}

export const CAB_TEXT_PREVIEW_LINES = 8;
const TEXT_NAME = /(\.txt|\.xml|\.log|\.csv|\.ini|\.reg|\.wer)$/i;
const DUMP_NAME = /\.(mdmp|dmp|hdmp)$/i;

export function isCab(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.toString('latin1', 0, 4) === 'MSCF';
}

/** Largest folder stream decoded for the view: a real CAB's contents fit easily, while a
 * crafted MSZIP "bomb" (a few MB inflating to GiBs) cannot fill memory. Files beyond it are
 * listed as unreadable ('too-large'); `wer-sniff cab --extract` is not limited by it. */
export const CAB_VIEW_MAX_FOLDER_BYTES = 256 * 1024 * 1024;

export function parseCabView(buf: Buffer, previewLines = CAB_TEXT_PREVIEW_LINES, maxFolderBytes = CAB_VIEW_MAX_FOLDER_BYTES): CabView {
  const cab = parseCab(buf);
  return cabViewOf(cab, cab.header ? extractCab(buf, cab, { maxFolderBytes }) : [], previewLines);
}

/** The view of files already extracted (`wer-sniff cab --extract` decodes each folder once). */
export function cabViewOf(cab: Cab, extracted: ExtractedFile[], previewLines = CAB_TEXT_PREVIEW_LINES): CabView {
  const entries = extracted.map((f): CabEntrySummary => {
    if (!f.data) return { name: f.name, size: f.size, kind: 'unreadable', error: f.error, notes: [] };
    return summariseFile(f.name, f.data, previewLines);
  });
  return { cab, entries };
}

export function summariseFile(name: string, data: Buffer, previewLines = CAB_TEXT_PREVIEW_LINES): CabEntrySummary {
  const base = { name, size: data.length, notes: [] as string[] };
  if (data.length >= 4 && data.toString('latin1', 0, 4) === 'MDMP') {
    return { ...base, kind: 'minidump', minidump: parseMinidump(data) };
  }
  if (DUMP_NAME.test(name)) {
    base.notes.push('named like a dump but has no MDMP signature');
    return { ...base, kind: 'binary' };
  }
  const decoded = decodeText(data);
  const textual = TEXT_NAME.test(name) || !/[\u0000-\u0008\u000e-\u001f]/.test(decoded.text.slice(0, 4096));
  if (!textual) return { ...base, kind: 'binary' };
  if (isWerMetadata(decoded.text)) {
    try {
      return { ...base, kind: 'metadata', metadata: parseWerMetadata(decoded.text), text: preview(decoded, previewLines) };
    } catch (e) {
      base.notes.push(`metadata XML did not parse (${(e as Error).message}); shown as text`);
    }
  }
  return { ...base, kind: 'text', text: preview(decoded, previewLines) };
}

function preview(d: { text: string; charset: string; rule: string }, n: number) {
  const all = d.text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return { charset: d.charset, rule: d.rule, lines: all.slice(0, n), totalLines: all.length };
}
