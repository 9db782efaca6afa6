// Terminal display width of text and cutting a line to a width. Counts East Asian wide and
// fullwidth characters (CJK, Hangul, fullwidth forms, most emoji) as two columns, combining
// marks and zero-width characters as none, and skips SGR colour codes (`\x1b[…m`) that Paint
// adds. Used by the one-line view so a line never wraps on a terminal. Pure.

const SGR = /\x1b\[[0-9;]*m/y;

/** Columns one code point takes on a terminal: 0, 1 or 2. */
export function charWidth(cp: number): number {
  if (cp === 0 || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff) return 0;
  if (cp < 0x1100) return 1;
  if (
    cp <= 0x115f || // Hangul Jamo
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) || // CJK radicals … Yi
    (cp >= 0xac00 && cp <= 0xd7a3) || // Hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // fullwidth forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) || // emoji
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd) // CJK extension planes
  ) return 2;
  return 1;
}

/** Columns `s` takes, colour codes left out. */
export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length;) {
    SGR.lastIndex = i;
    if (s.charCodeAt(i) === 0x1b && SGR.test(s)) {
      i = SGR.lastIndex;
      continue;
    }
    const cp = s.codePointAt(i)!;
    w += charWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return w;
}

/** `s` cut to at most `cols` columns, ending in `…` when cut; colour codes are kept whole and
 * a reset is added after a cut so a colour never runs on. `cols` undefined: `s` unchanged
 * (output that is not a terminal is never cut). */
export function fitWidth(s: string, cols: number | undefined): string {
  if (cols === undefined || cols <= 0 || displayWidth(s) <= cols) return s;
  const room = cols - 1; // one column for the ellipsis
  let w = 0;
  let out = '';
  let coloured = false;
  for (let i = 0; i < s.length;) {
    SGR.lastIndex = i;
    if (s.charCodeAt(i) === 0x1b && SGR.test(s)) {
      out += s.slice(i, SGR.lastIndex);
      coloured = true;
      i = SGR.lastIndex;
      continue;
    }
    const cp = s.codePointAt(i)!;
    const cw = charWidth(cp);
    if (w + cw > room) break;
    w += cw;
    const n = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + n);
    i += n;
  }
  return out + (coloured ? '\x1b[0m' : '') + '…';
}
