// Parses the level 1 server response body (MS-CER2 §2.2.2, docs/protocol.md §4): `Name=value` lines,
// any order, every line optional. Lenient like the spec's own examples: split on the FIRST
// `=`, trim blanks around key and value, accept LF-only lines, recognise keys whose case is
// wrong (with a warning: the ABNF says case-sensitive). Also explains in sentences what the
// server asked for. It deliberately does not decide the charset (views.ts decodes the bytes
// as windows-1252) and never judges whether a real client would accept the reply.

export const LEVEL1_KEYS = [
  'Response', 'Bucket', 'BucketTable', 'iData', 'MemoryDump', 'RegKey', 'RegTree', 'fDoc', 'WQL',
  'GetFile', 'GetFileVersion', 'DumpFile',
  // Not in MS-CER2; sent by an open CER server (aurel26/wer-server, docs/protocol.md §10a).
  'DumpServer',
] as const;
export type Level1Key = (typeof LEVEL1_KEYS)[number];

/** Keys whose value is a `;`-separated list (§2.2.2). */
export const LEVEL1_LIST_KEYS: ReadonlySet<Level1Key> = new Set([
  'RegKey', 'RegTree', 'WQL', 'GetFile', 'GetFileVersion',
]);

export interface Level1Entry {
  /** Key as written (trimmed). */
  key: string;
  value: string;
  /** 1-based line number. */
  line: number;
  /** The spec key this line sets, also when the case differs. */
  known?: Level1Key;
  /** The `;`-separated items of list keys. */
  items?: string[];
}

export interface Level1Response {
  /** Every `Key=value` line, in order. */
  entries: Level1Entry[];
  /** Effective value per known key (the last line wins; duplicates are warned about). */
  values: Partial<Record<Level1Key, string>>;
  warnings: string[];
}

const BY_LOWER: ReadonlyMap<string, Level1Key> = new Map(LEVEL1_KEYS.map((k) => [k.toLowerCase(), k]));

/** Warnings kept per answer; a hostile one with 200,000 bad lines gets a count for the rest. */
export const MAX_LEVEL1_WARNINGS = 100;
const dropped = new WeakMap<Level1Response, number>();

/** Adds a warning (built only while there is room for it). */
function warn(r: Level1Response, message: () => string): void {
  if (r.warnings.length < MAX_LEVEL1_WARNINGS) r.warnings.push(message());
  else dropped.set(r, (dropped.get(r) ?? 0) + 1);
}

function splitList(value: string): string[] {
  return value.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseLevel1Response(text: string): Level1Response {
  const result: Level1Response = { entries: [], values: {}, warnings: [] };
  const firstLine = new Map<Level1Key, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      warn(result, () => `line ${line}: not Key=value: ${JSON.stringify(raw)}`);
      return;
    }
    const entry: Level1Entry = { key: raw.slice(0, eq).trim(), value: raw.slice(eq + 1).trim(), line };
    const known = BY_LOWER.get(entry.key.toLowerCase());
    if (known === undefined) {
      warn(result, () => `line ${line}: unknown key ${JSON.stringify(entry.key)}`);
    } else {
      entry.known = known;
      if (entry.key !== known) {
        warn(result, () => `line ${line}: key "${entry.key}" should be spelled "${known}" (keys are case-sensitive, MS-CER2 §2.2.2)`);
      }
      if (LEVEL1_LIST_KEYS.has(known)) entry.items = splitList(entry.value);
      const earlier = firstLine.get(known);
      if (earlier !== undefined) warn(result, () => `line ${line}: ${known} repeats line ${earlier}; the last value is used`);
      else firstLine.set(known, line);
      result.values[known] = entry.value;
      checkValue(result, known, entry.value, line);
    }
    result.entries.push(entry);
  });
  const more = dropped.get(result);
  if (more) result.warnings.push(`… and ${more} more warnings`);
  return result;
}

function checkValue(r: Level1Response, key: Level1Key, value: string, line: number): void {
  if ((key === 'Bucket' || key === 'BucketTable') && !/^[1-9]\d*$/.test(value)) {
    warn(r, () => `line ${line}: ${key} should be a positive decimal number, got ${JSON.stringify(value)}`);
  }
  if ((key === 'iData' || key === 'MemoryDump' || key === 'fDoc') && value !== '0' && value !== '1') {
    warn(r, () => `line ${line}: ${key} should be 1 or 0, got ${JSON.stringify(value)}`);
  }
  if (key === 'DumpFile' && value === '') warn(r, () => `line ${line}: DumpFile is empty`);
}

/** ≥1 non-blank line and more than half of them are `Key=value` with a known key. */
export function looksLikeLevel1Response(text: string): boolean {
  if (text.length > 64 * 1024) return false;
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  const known = lines.filter((l) => {
    const eq = l.indexOf('=');
    return eq > 0 && BY_LOWER.has(l.slice(0, eq).trim().toLowerCase());
  }).length;
  return known * 2 > lines.length;
}

/** List items of a list key (all lines merged would hide the last-wins rule: use values). */
export function level1List(r: Level1Response, key: Level1Key): string[] {
  const v = r.values[key];
  return v === undefined ? [] : splitList(v);
}

/** What the reply means for the client, in plain sentences. */
export function explainLevel1Response(r: Level1Response): string[] {
  const v = r.values;
  const out: string[] = [];
  if (v.Response !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(v.Response)) out.push(`Response URL shown to the user: ${v.Response}`);
    else if (v.Response === '1') out.push('Response=1: no additional information to display (MS-CER v1 meaning)');
    else if (v.Response === '') out.push('Response is empty: nothing to show to the user');
    else out.push(`Response is neither 1 nor a URL: ${v.Response}`);
  }
  if (v.Bucket !== undefined && v.BucketTable !== undefined) out.push(`Bucket ${v.Bucket} in table ${v.BucketTable}`);
  else if (v.Bucket !== undefined) out.push(`Bucket ${v.Bucket} (no BucketTable)`);
  else if (v.BucketTable !== undefined) out.push(`BucketTable ${v.BucketTable} without a Bucket`);

  const wantsData = v.iData === '1';
  const dump = v.DumpFile;
  if (wantsData && dump) out.push(`server asks for a CAB at ${dump} (level 2 PUT to that path${v.DumpServer ? ` on ${v.DumpServer}` : ''})`);
  else if (wantsData) out.push('iData=1 but no DumpFile: Windows has nowhere to upload the CAB');
  else if (dump) {
    out.push(`DumpFile ${dump} given but iData is ${v.iData === undefined ? 'missing' : v.iData}: the CAB upload is not requested`);
  } else if (v.iData === undefined) out.push('no iData: the conversation ends after level 1');
  else out.push(`iData=${v.iData}: the conversation ends after level 1`);

  const asks: string[] = [];
  if (v.MemoryDump === '1') asks.push('memory dump');
  if (v.fDoc === '1') asks.push('open documents');
  const lists: [Level1Key, string][] = [
    ['RegKey', 'registry values'], ['RegTree', 'registry trees'], ['GetFile', 'files'],
    ['GetFileVersion', 'versions of'], ['WQL', 'WQL'],
  ];
  for (const [key, label] of lists) {
    const items = level1List(r, key);
    if (items.length) asks.push(`${label} ${items.join('; ')}`);
  }
  if (asks.length) out.push(`server asks for: ${asks.join(', ')}${wantsData ? '' : ' (only useful for a CAB, and iData is not 1)'}`);
  return out;
}
