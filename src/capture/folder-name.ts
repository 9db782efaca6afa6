// Report folder names: `<UTC time>_<machine>_<app>_<eventtype>_<n>`, every part safe on
// Windows, macOS and Linux — no separators, no `..`, no reserved device names, bounded length.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
/** Separators, characters Windows forbids, controls, blanks, bidi controls (they make a
 * name read backwards) and lone surrogates (no valid file name holds one). */
const UNSAFE = /(?:[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\s\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])+/g;

export function safeNamePart(s: string | undefined, max = 40): string {
  let t = (s ?? '').normalize('NFC').replace(UNSAFE, '-');
  t = t.replace(/\.{2,}/g, '.').replace(/^[.\-]+|[.\- ]+$/g, '');
  // Cut by code point: slicing UTF-16 could leave half a surrogate pair (not a valid name).
  t = Array.from(t).slice(0, max).join('').replace(/[.\- ]+$/g, '');
  if (!t) return 'unknown';
  return RESERVED.test(t.split('.')[0]!) ? `_${t}` : t;
}

/** e.g. `20261125T004112Z_WKS-0042.lab.example.test_widget.exe_APPCRASH_1`. */
export function folderName(ts: number, parts: (string | undefined)[], n: number): string {
  const time = new Date(ts).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return [time, ...parts.map((p) => safeNamePart(p)), String(n)].join('_');
}
