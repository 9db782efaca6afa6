// The files a Windows client adds to a level-2 CAB when the level-1 answer asks for more data
// ([MS-CER2] §2.2.2: GetFileVersion, WQL, RegKey/RegTree): FileVer.txt, wql.txt, registry.txt.
// No specification describes their contents. What is known, and from where:
// - The names come from an open CER server's comments (aurel26/wer-server, see protocol.md).
// - A disassembly of the client's data collection (CDataCollection in wer.dll, published
//   decompiled) shows each is written as UTF-16LE after a byte-order mark; wql.txt is the
//   MOF text of every object each query returned (IWbemClassObject::GetObjectText, LF made
//   CRLF, one query after another, the queries themselves not written); registry.txt is, per
//   key, CRLF + the key's path as asked (subkeys of a RegTree appended with `\name`), then,
//   when the key has values, CRLF and the values.
// - Inferred, not seen: how one value line of registry.txt and one file's block of FileVer.txt
//   look. So the summaries lean only on what the known shape gives: registry keys are the lines
//   that start with a hive name and the non-empty lines after a key count as its values;
//   FileVer.txt counts the lines that name a file by absolute Windows path. Pure: text in.

export interface FileVerSummary {
  kind: 'file-versions';
  /** Lines naming a file by absolute path (C:\…, \\server\…, %VAR%\…). */
  files: number;
  lines: number;
  /** The first lines that name a file, at most DATA_FILE_LIST of them. */
  paths: string[];
  /** The line naming the faulting module (set by the CAB view, which knows it), when present. */
  faultingModule?: string;
}

export interface WqlSummary {
  kind: 'wql';
  /** Objects in the file (`instance of <Class>` blocks). */
  objects: number;
  /** Objects per class, in order of first appearance; at most DATA_FILE_LIST classes.
   * `properties`: how many the first object of the class has. */
  classes: { name: string; objects: number; properties: number }[];
}

export interface RegistrySummary {
  kind: 'registry';
  /** Keys dumped (lines that start with a hive name). */
  keyCount: number;
  /** The first DATA_FILE_LIST keys with the number of value lines under each. */
  keys: { path: string; values: number }[];
}

export type WerDataFileSummary = FileVerSummary | WqlSummary | RegistrySummary;

/** Entries kept in a summary's list; counts stay exact. */
export const DATA_FILE_LIST = 32;
/** Characters kept of one listed line. */
const LINE_CHARS = 300;

const cut = (s: string): string => (s.length > LINE_CHARS ? s.slice(0, LINE_CHARS) : s);
const linesOf = (text: string): string[] => text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

/** Which of the three the file is, by its name (as the client names it, any folder, any case). */
export function werDataFileKind(name: string): WerDataFileSummary['kind'] | undefined {
  const base = name.split(/[\\/]/).pop()!.toLowerCase();
  return base === 'filever.txt' ? 'file-versions' : base === 'wql.txt' ? 'wql' : base === 'registry.txt' ? 'registry' : undefined;
}

export function summariseWerDataFile(kind: WerDataFileSummary['kind'], text: string): WerDataFileSummary {
  return kind === 'file-versions' ? parseFileVer(text) : kind === 'wql' ? parseWql(text) : parseRegistryTxt(text);
}

const PATH_LINE = /^\s*(?:[A-Za-z]:\\|\\\\[^\\\s]+\\|%[A-Za-z_][\w()]*%\\)\S/;

export function parseFileVer(text: string): FileVerSummary {
  const lines = linesOf(text);
  const paths: string[] = [];
  let files = 0, nonEmpty = 0;
  for (const l of lines) {
    if (l.trim() !== '') nonEmpty++;
    if (!PATH_LINE.test(l)) continue;
    files++;
    if (paths.length < DATA_FILE_LIST) paths.push(cut(l.trim()));
  }
  return { kind: 'file-versions', files, lines: nonEmpty, paths };
}

/** The FileVer.txt line that names `module` (a file name like `render.dll`), if any. */
export function lineNaming(text: string, module: string): string | undefined {
  const want = module.toLowerCase();
  for (const l of linesOf(text)) {
    const lower = l.toLowerCase();
    const at = lower.indexOf(want);
    // A whole file name: after a separator or the start, and not followed by more name.
    if (at >= 0 && (at === 0 || /[\\/\s"':=]/.test(lower[at - 1]!)) && !/[\w.]/.test(lower[at + want.length] ?? '')) return cut(l.trim());
  }
  return undefined;
}

const INSTANCE = /^\s*instance of\s+([A-Za-z_][\w]*)/i;
const PROPERTY = /^\s*[A-Za-z_][\w]*\s*=/;

export function parseWql(text: string): WqlSummary {
  const classes: WqlSummary['classes'] = [];
  const byName = new Map<string, WqlSummary['classes'][number]>();
  let objects = 0;
  let current: WqlSummary['classes'][number] | undefined;
  let depth = 0;
  for (const l of linesOf(text)) {
    const m = depth === 0 ? INSTANCE.exec(l) : null;
    if (m) {
      objects++;
      const name = m[1]!;
      current = byName.get(name.toLowerCase());
      if (!current) {
        current = { name: cut(name), objects: 0, properties: 0 };
        byName.set(name.toLowerCase(), current);
        if (classes.length < DATA_FILE_LIST) classes.push(current);
      }
      current.objects++;
      continue;
    }
    // Properties of the object itself (depth 1), not of objects embedded in it.
    if (current && depth === 1 && PROPERTY.test(l) && current.objects === 1) current.properties++;
    for (const ch of l) {
      if (ch === '{') depth++;
      else if (ch === '}' && depth > 0) depth--;
    }
  }
  return { kind: 'wql', objects, classes };
}

const HIVE = /^\s*(HKEY_[A-Z_]+|HKLM|HKCU|HKCR|HKU|HKCC)(\\|$)/i;

export function parseRegistryTxt(text: string): RegistrySummary {
  const keys: RegistrySummary['keys'] = [];
  let keyCount = 0;
  let current: { path: string; values: number } | undefined;
  for (const l of linesOf(text)) {
    if (HIVE.test(l)) {
      keyCount++;
      current = { path: cut(l.trim()), values: 0 };
      if (keys.length < DATA_FILE_LIST) keys.push(current);
    } else if (current && l.trim() !== '') current.values++;
  }
  return { kind: 'registry', keyCount, keys };
}
