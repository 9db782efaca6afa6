// The JSON the inspector's HTTP API sends, shared as types with the browser code
// (client/src/*.tsx imports them with `import type`). Every string in it came through
// escapeControl on the server, and the page inserts each one as text, never as HTML.
import type { MinidumpSummary } from '../domain/minidump/types.js';

/** One line of the list: one exchange. */
export interface Row {
  id: number;
  /** Bumped on every change (response, findings): the page keeps the highest it has seen. */
  v: number;
  ts: number;
  conn: number;
  seq: number;
  peer: string;
  method: string;
  target: string;
  /** `report` (level 1), `upload` (level-2 PUT), `other`. */
  kind: 'report' | 'upload' | 'other';
  reportId?: string;
  machine?: string;
  event?: string;
  app?: string;
  /** Exception or bugcheck code from the signature. */
  exception?: string;
  status?: number;
  /** Request body bytes. */
  size: number;
  findings: { error: number; warning: number; note: number };
  /** Index into /api/buckets' list, for reports (and uploads linked to one). */
  bucket?: number;
  /** The other half of a report/upload pair. */
  linked?: number;
  problems: number;
  /** Its bodies were let go (memory budget): the detail shows heads and the row only. */
  dropped?: boolean;
}

export interface RowsReply {
  rows: Row[];
  /** Exchanges older than the history keeps (--web-history), only counted. */
  evicted: { exchanges: number; reports: number; bytes: number; firstTs?: number; lastTs?: number };
  session: { pcapBytes: number; harBytes: number; capped: boolean };
}

export interface BucketInfo {
  index: number;
  count: number;
  event?: string;
  app?: string;
  version?: string;
  code?: string;
  module?: string;
  offset?: string;
  firstSeen: number;
  lastSeen: number;
  machines: number;
}

export interface BucketsReply {
  reports: number;
  other: number;
  buckets: BucketInfo[];
}

export interface FindingJson {
  severity: 'error' | 'warning' | 'note';
  rule: string;
  section: string;
  message: string;
  fix: string;
  stage: string;
}

export interface BodyJson {
  size: number;
  sha256: string;
  complete: boolean;
  framing: string;
  kind?: string;
  charset?: string;
  notes: string[];
  /** Pretty XML (wer-report, xml), one string per line. */
  pretty?: string[];
  /** The decoded text as received, one string per line (capped). */
  raw?: string[];
  /** Hexdump lines of a binary body (first 64 KiB). */
  hex?: string[];
  /** Lines left out of `raw`. */
  moreLines?: number;
}

export interface MessageJson {
  line: string;
  headers: [string, string][];
  body: BodyJson;
}

export interface CabFileJson {
  index: number;
  name: string;
  size: number;
  date: string;
  kind?: string;
  error?: string;
}

export interface CabJson {
  files: CabFileJson[];
  /** The terminal's CAB view (listing and per-file summaries), as text lines. */
  lines: string[];
  /** Minidumps in it, as their summaries (exception, stack, modules, threads). */
  minidumps: { name: string; summary: MinidumpSummary }[];
  texts: { index: number; name: string; charset: string; lines: string[]; totalLines: number }[];
  /** Where the CAB came from: the upload, or a saved report folder's report.cab. */
  source: 'upload';
}

export interface DetailReply {
  row: Row;
  local: string;
  upstream?: string;
  /** The crash summary as the terminal's -v shows it. */
  summary?: string[];
  findings: FindingJson[];
  request?: MessageJson;
  response?: MessageJson;
  /** The level-1 answer explained (Key=value lines and what they ask for). */
  answer?: string[];
  cab?: CabJson;
  /** The record whose /cab and /file/N downloads give this CAB (the upload of a report). */
  cabFrom?: number;
  problems: { code: string; message: string }[];
  /** Download links that exist for this exchange. */
  downloads: { request: boolean; cab: boolean };
  dropped?: string;
}

export interface DiffReply {
  a: number;
  b: number;
  equal: boolean;
  rows: { group: string; field: string; status: string; a?: string; b?: string }[];
}
