// A `Report.wer` file as Windows writes it into a report (and into a CAB): UTF-16 text, one
// `Key=Value` per line — Version, EventType, EventTime (a FILETIME), Sig[n].Name/Sig[n].Value
// (the problem signature), DynamicSig[n].Name/Value (OS version, locale, …), AppName, AppPath.
// Summarised: the event, its time decoded, the signature and dynamic pairs joined by index.
// Pure and bounded: at most MAX_LINES lines are read and MAX_PAIRS pairs kept; values are cut.
import { decodeFiletime } from './fields.js';

export interface WerPair { name: string; value: string }

export interface ReportWerSummary {
  eventType?: string;
  /** EventTime decoded (FILETIME, UTC), when it is a number. */
  eventTime?: string;
  friendlyName?: string;
  appName?: string;
  appPath?: string;
  /** Sig[n] pairs in index order (the problem signature). */
  signature: WerPair[];
  /** DynamicSig[n] pairs in index order. */
  dynamic: WerPair[];
  /** Key=Value lines read (of at most MAX_LINES). */
  keys: number;
}

const MAX_LINES = 10_000;
const MAX_PAIRS = 64;
const MAX_VALUE = 1024;

/** A Report.wer by name, or by its first keys (`Version=` then `EventType=` soon after). */
export function looksLikeReportWer(name: string, text: string): boolean {
  if (/(^|[\\/.])report\.wer$/i.test(name)) return true;
  return /^\uFEFF?Version=\d+\r?\n/.test(text) && /\nEventType=/.test(text.slice(0, 4096));
}

export function parseReportWer(text: string): ReportWerSummary {
  const out: ReportWerSummary = { signature: [], dynamic: [], keys: 0 };
  const sig = new Map<number, Partial<WerPair>>();
  const dyn = new Map<number, Partial<WerPair>>();
  const cut = (v: string): string => (v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) + '…' : v);
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let n = 0; n < MAX_LINES && start < text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.keys++;
    const key = line.slice(0, eq);
    const value = cut(line.slice(eq + 1));
    const m = /^(Sig|DynamicSig)\[(\d{1,4})\]\.(Name|Value)$/.exec(key);
    if (m) {
      const table = m[1] === 'Sig' ? sig : dyn;
      const i = Number(m[2]);
      if (!table.has(i) && table.size >= MAX_PAIRS) continue;
      const pair = table.get(i) ?? {};
      pair[m[3] === 'Name' ? 'name' : 'value'] = value;
      table.set(i, pair);
    } else if (key === 'EventType') out.eventType = value;
    else if (key === 'EventTime') {
      const t = decodeFiletime(value);
      if (t) out.eventTime = t.iso;
    } else if (key === 'FriendlyEventName') out.friendlyName = value;
    else if (key === 'AppName') out.appName = value;
    else if (key === 'AppPath') out.appPath = value;
  }
  const joined = (t: Map<number, Partial<WerPair>>): WerPair[] => [...t].sort((a, b) => a[0] - b[0])
    .map(([i, p]) => ({ name: p.name ?? `[${i}]`, value: p.value ?? '' }));
  out.signature = joined(sig);
  out.dynamic = joined(dyn);
  return out;
}
