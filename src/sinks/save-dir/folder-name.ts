// Report folder names: `<UTC time>_<machine>_<app>_<eventtype>_<n>`, every part safe on
// Windows, macOS and Linux — no separators, no `..`, no reserved device names, bounded length.
// The length limit of file systems is in bytes (255 UTF-8 bytes on ext4, APFS) or UTF-16 units
// (255 on NTFS), not characters: 40 CJK characters are 120 bytes, so a whole name is cut to
// fit both, with room left for the `~<n>` a second folder of the same name gets.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
/** Separators, characters Windows forbids, controls, blanks, bidi controls (they make a
 * name read backwards) and lone surrogates (no valid file name holds one). */
const UNSAFE = /(?:[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\s\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])+/g;

/** Longest file name in UTF-8 bytes (ext4, APFS, …); NTFS allows 255 UTF-16 units, never more
 * than the UTF-8 bytes of the same name, so keeping to the bytes keeps to both. */
export const MAX_NAME_BYTES = 255;
/** Kept free for the `~<n>` suffix of a folder whose name is taken. */
const SUFFIX_ROOM = 8;

/** The first code points of `t`: at most `maxChars` of them and `maxBytes` UTF-8 bytes. Cut by
 * code point: slicing UTF-16 could leave half a surrogate pair (not a valid name). */
function cut(t: string, maxChars: number, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  let chars = 0;
  for (const cp of t) {
    const b = Buffer.byteLength(cp, 'utf8');
    if (chars === maxChars || bytes + b > maxBytes) break;
    out += cp;
    bytes += b;
    chars++;
  }
  return out;
}

export function safeNamePart(s: string | undefined, max = 40, maxBytes = Infinity): string {
  let t = (s ?? '').normalize('NFC').replace(UNSAFE, '-');
  t = t.replace(/\.{2,}/g, '.').replace(/^[.\-]+|[.\- ]+$/g, '');
  t = cut(t, max, maxBytes).replace(/[.\- ]+$/g, '');
  if (!t) return 'unknown';
  return RESERVED.test(t.split('.')[0]!) ? `_${t}` : t;
}

/** e.g. `20261125T004112Z_WKS-0042.lab.example.test_widget.exe_APPCRASH_1`. */
export function folderName(ts: number, parts: (string | undefined)[], n: number): string {
  const time = new Date(ts).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const names = parts.map((p) => safeNamePart(p));
  const bytes = (x: string): number => Buffer.byteLength(x, 'utf8');
  const fixed = bytes(time) + String(n).length + parts.length + 1;
  const budget = MAX_NAME_BYTES - SUFFIX_ROOM - fixed;
  // Too long in bytes: the longest part gives up its last character until the name fits, so
  // short parts (the event type) stay whole.
  for (let total = names.reduce((a, x) => a + bytes(x), 0); total > budget;) {
    const i = names.reduce((best, x, j) => (bytes(x) > bytes(names[best]!) ? j : best), 0);
    const before = bytes(names[i]!);
    if (before <= SUFFIX_ROOM) break; // cannot happen for three parts of ≤ 40 characters
    names[i] = safeNamePart(parts[i], 40, before - 1);
    total += bytes(names[i]!) - before;
  }
  return [time, ...names, String(n)].join('_');
}
