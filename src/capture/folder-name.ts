// Report folder names: `<UTC time>_<machine>_<app>_<eventtype>_<n>`, every part safe on
// Windows, macOS and Linux — no separators, no `..`, no reserved device names, bounded length.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function safeNamePart(s: string | undefined, max = 40): string {
  let t = (s ?? '').normalize('NFC').replace(/[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\s]+/g, '-');
  t = t.replace(/\.{2,}/g, '.').replace(/^[.\-]+|[.\- ]+$/g, '');
  t = t.slice(0, max).replace(/[.\- ]+$/g, '');
  if (!t) return 'unknown';
  return RESERVED.test(t.split('.')[0]!) ? `_${t}` : t;
}

/** e.g. `20261125T004112Z_WKS-0042.lab.example.test_widget.exe_APPCRASH_1`. */
export function folderName(ts: number, parts: (string | undefined)[], n: number): string {
  const time = new Date(ts).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return [time, ...parts.map((p) => safeNamePart(p)), String(n)].join('_');
}
