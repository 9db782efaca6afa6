// Builds the level-1 server response of a CER server (MS-CER2 §2.2.2): code-page-1252
// `Key=value` lines, CRLF, strict form (no blanks around `=`). Pure: the report and the
// options in, the body text and the issued DumpFile out. It does not send anything.
import { createHash } from 'node:crypto';
import type { WerReport } from '../report/report.js';

export interface AnswerOptions {
  /** Fixed Bucket / BucketTable; by default stable numbers derived from the signature. */
  bucket?: number;
  bucketTable?: number;
  /** `memory-dump`, `docs`, `file:<path>`, `file-version:<path>`, `wql:<q>`, `regkey:<k>`, `regtree:<k>`. */
  ask: string[];
  /** `Response=` URL shown to the user. */
  responseUrl?: string;
  /** Answer without iData/DumpFile: the client stops after level 1. */
  noCab: boolean;
  /** `--dump-server`: a `DumpServer=` line beside DumpFile, as an open CER server sends
   * (docs/protocol.md §10a); not in MS-CER2, so nothing is sent without it. */
  dumpServer?: string;
}

export interface Level1Answer {
  body: string;
  /** The DumpFile path the client will PUT to, when a CAB was asked for. */
  dumpFile?: string;
}

const ASK_KEYS: Record<string, string> = {
  file: 'GetFile', 'file-version': 'GetFileVersion', wql: 'WQL', regkey: 'RegKey', regtree: 'RegTree',
};

/** Validates one `--ask` item; returns an error message or undefined. */
export function checkAskItem(item: string): string | undefined {
  if (item === 'memory-dump' || item === 'docs') return undefined;
  const i = item.indexOf(':');
  const kind = i < 0 ? item : item.slice(0, i);
  if (!(kind in ASK_KEYS)) {
    return `unknown --ask item "${item}" — use memory-dump, docs, file:<path>, file-version:<path>, wql:<query>, regkey:<key> or regtree:<key>`;
  }
  if (i < 0 || item.length === i + 1) return `--ask ${kind}: needs a value, e.g. ${kind}:${kind === 'wql' ? 'SELECT Family FROM Win32_Processor' : 'C:\\Windows\\win.ini'}`;
  if (/[\r\n]/.test(item)) return `--ask ${kind}: the value must not contain line breaks`;
  return undefined;
}

/** A stable positive 31-bit number from the report's event type and signature. */
export function signatureNumber(report: WerReport | undefined, salt: string): number {
  const h = createHash('sha256').update(salt);
  h.update(report?.event?.eventType ?? '');
  for (const p of report?.parameters ?? []) h.update(`\0${p.id}=${p.value}`);
  const n = h.digest().readUInt32BE(0) & 0x7fffffff;
  return n === 0 ? 1 : n;
}

/**
 * One path component made safe for a DumpFile path and a Windows file system: printable ASCII
 * only. The answer goes out as code page 1252, and the values come from the client's report:
 * a character outside ASCII would be altered on the way (U+010A would even become a line
 * break, U+013D a `=`), and the client's PUT would no longer match the DumpFile we issued.
 */
export function safePathPart(s: string, max = 64): string {
  const cleaned = s.replace(/(?:[^\x21-\x7e]|[\\/:*?"<>|%#&=;])+/g, '_').replace(/^\.+/, '_');
  return (cleaned || '_').slice(0, max);
}

/** `\PersistedCabs\Generic\<eventtype>\<P1>\…\<guid>.cab` (MS-CER2 §4.1, §4.3). */
export function makeDumpFilePath(report: WerReport | undefined, guid: string): string {
  const eventType = report?.event?.eventType ?? 'Unknown';
  if (/^bluescreen$/i.test(eventType)) return `\\PersistedCabs\\Blue\\${guid}.cab`;
  const params = [...(report?.parameters ?? [])]
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((p) => safePathPart(p.value))
    .slice(0, 10);
  return ['', 'PersistedCabs', 'Generic', safePathPart(eventType), ...params, `${guid}.cab`].join('\\');
}

export function buildLevel1Answer(report: WerReport | undefined, opts: AnswerOptions, guid: string): Level1Answer {
  const lines: string[] = [];
  if (opts.responseUrl) lines.push(`Response=${opts.responseUrl}`);
  lines.push(`Bucket=${opts.bucket ?? signatureNumber(report, 'bucket')}`);
  lines.push(`BucketTable=${opts.bucketTable ?? (signatureNumber(report, 'table') % 100) + 1}`);
  const lists = new Map<string, string[]>();
  for (const item of opts.ask) {
    if (item === 'memory-dump') lines.push('MemoryDump=1');
    else if (item === 'docs') lines.push('fDoc=1');
    else {
      const i = item.indexOf(':');
      const key = ASK_KEYS[item.slice(0, i)]!;
      lists.set(key, [...(lists.get(key) ?? []), item.slice(i + 1)]);
    }
  }
  for (const [key, values] of lists) lines.push(`${key}=${values.join(';')}`);
  let dumpFile: string | undefined;
  if (opts.noCab) lines.push('iData=0');
  else {
    dumpFile = makeDumpFilePath(report, guid);
    lines.push('iData=1');
    if (opts.dumpServer) lines.push(`DumpServer=${opts.dumpServer}`);
    lines.push(`DumpFile=${dumpFile}`);
  }
  return { body: lines.map((l) => `${l}\r\n`).join(''), dumpFile };
}

/** The form of a request-target used to match a PUT against an issued DumpFile:
 * `\`, `/` and `%5C` spellings, an absolute URL, and case all compare equal. */
export function normalizeDumpTarget(target: string): string {
  let t = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/\\]*/i, '');
  try {
    t = decodeURIComponent(t);
  } catch {
    t = t.replace(/%5c/gi, '\\').replace(/%2f/gi, '/');
  }
  return t.replace(/[\\/]+/g, '/').replace(/^\/?/, '/').toLowerCase();
}
