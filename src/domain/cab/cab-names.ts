// Makes CAB file names (untrusted, `\`-separated) safe as relative paths on POSIX and Windows.
// Pure string work; extraction (cab-extract.ts) and the writers (pipeline/workers/cab-files.ts) use it.

// Windows device names that cannot be file names, with or without an extension.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;
const MAX_SEGMENT = 120;
const MAX_SEGMENTS = 16;

function safeSegment(raw: string): string {
  // Characters Windows forbids in names, control characters (C0, DEL, C1), bidi controls that
  // would make a name read backwards in a listing, and lone surrogates become '_'.
  // eslint-disable-next-line no-control-regex
  let s = raw.replace(/[\u0001-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>:"|?*]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '_').replace(/[. ]+$/, '');
  if (s === '' || s === '.' || s === '..') return '';
  if (RESERVED.test(s)) s = `_${s}`;
  if (s.length > MAX_SEGMENT) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    let cut = MAX_SEGMENT - ext.length;
    // Never split a surrogate pair (an emoji) in half.
    if (/[\ud800-\udbff]/.test(s[cut - 1] ?? '')) cut--;
    s = s.slice(0, cut) + ext;
  }
  return s;
}

/**
 * Turns a CAB name (`\`-separated, untrusted) into a relative path with `/` separators that
 * stays inside the target directory on POSIX and Windows: drops NULs, drive letters, leading
 * separators, `.` and `..`; prefixes reserved device names (CON, NUL, COM1…) with `_`; trims
 * trailing dots/spaces; bounds each segment's length and the depth. Never returns ''.
 */
export function safeExtractPath(name: string): string {
  const parts = name.replace(/\0/g, '').split(/[\\/]+/);
  // A leading drive ("C:" or "C:x") is a root, not a name.
  if (parts.length > 0) parts[0] = parts[0]!.replace(/^[A-Za-z]:/, '');
  const segs = parts.map(safeSegment).filter((s) => s !== '');
  const kept = segs.length > MAX_SEGMENTS ? segs.slice(segs.length - MAX_SEGMENTS) : segs;
  return kept.length > 0 ? kept.join('/') : '_';
}
