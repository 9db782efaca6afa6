// `diff --ignore`: which fields to leave out. A pattern matches a field that equals it, a
// field below it (`report.MACHINEINFO` covers `report.MACHINEINFO.os`), or whose last part
// equals it (`eventtime`); `*` matches any run of characters. Case-insensitive.

/** Ignored by default: what differs between two reports of the same crash by its nature — the
 * event time; the DumpFile path the server generated (a fresh GUID per report), both in the
 * answer and as the target of the PUT that follows it; and the CAB's packed size, which moves by
 * a byte or two with the times inside it (the CAB's files are compared by name and size). */
export const DEFAULT_DIFF_IGNORE: readonly string[] = [
  'report.EVENTINFO.eventtime',
  'answer.DumpFile',
  'upload.target',
  'upload.header.Content-Length',
  'upload.body.length',
];

/** commander parser: `a,b` → ['a', 'b']; '' → [] (compare everything). Repeats add up. */
export function parseIgnoreList(value: string, previous?: readonly string[]): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return previous && previous !== DEFAULT_DIFF_IGNORE ? [...previous, ...items] : items;
}

function toRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export function isIgnored(field: string, patterns: readonly string[]): boolean {
  const lower = field.toLowerCase();
  const last = lower.replace(/\[[^\]]*\]/g, '').split('.').pop() ?? lower;
  return patterns.some((p) => {
    const pl = p.toLowerCase();
    if (p.includes('*')) return toRegExp(p).test(field);
    return lower === pl || lower.startsWith(pl + '.') || lower.startsWith(pl + '[') || last === pl;
  });
}
