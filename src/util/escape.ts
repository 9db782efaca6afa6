// Makes untrusted text and bytes safe to print on a terminal: C0 controls, DEL, C1 controls,
// line/paragraph separators, bidi overrides/isolates and lone surrogates become visible escapes
// (`\x1b`, `\u202e`, `\ud800`) painted with `paint.escape`. It works on already-decoded strings,
// so a control character that only appears after UTF-16 (or any other) decoding is caught too.
// It deliberately does not escape backslashes (Windows paths stay readable), does not touch
// U+FFFD (a visible replacement already) and knows nothing about charsets or layout.
/** How escapes are marked (render/paint.ts's Paint has one): dimmed in a terminal. */
export interface EscapePaint {
  escape(s: string): string;
}

export interface EscapeOptions {
  /** Multi-line context: `\n`, `\t` and `\r\n` pass through; a lone `\r` is still escaped. */
  keepNewlines?: boolean;
}

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** The escape text for one UTF-16 code unit, or undefined when it prints as itself. */
function escapeFor(code: number): string | undefined {
  if (code < 0x20 || code === 0x7f) return NAMED[code] ?? `\\x${hex2(code)}`;
  if (code >= 0x80 && code <= 0x9f) return `\\u${hex4(code)}`;
  if (code === 0x2028 || code === 0x2029) return `\\u${hex4(code)}`;
  if (code >= 0x202a && code <= 0x202e) return `\\u${hex4(code)}`;
  if (code >= 0x2066 && code <= 0x2069) return `\\u${hex4(code)}`;
  return undefined;
}

/** True when the string contains nothing escapeControl would change (fast path). */
const SAFE = /^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]*$/;

/** SAFE.test(s), as a loop: cheaper than a regex call for the short names and values. */
function isSafe(s: string): boolean {
  if (s.length > 64) return SAFE.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if (c >= 0x2028 && (c <= 0x202e || (c >= 0x2066 && c <= 0x2069) || (c >= 0xd800 && c <= 0xdfff))) return false;
  }
  return true;
}

/**
 * Escape everything that could move the cursor, change colours, reorder text or confuse the
 * terminal. Painted escapes are grouped per run so colour codes stay short.
 */
export function escapeControl(s: string, paint?: EscapePaint, opts?: EscapeOptions): string {
  if (isSafe(s)) return s;
  const keep = opts?.keepNewlines === true;
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run) {
      out += paint ? paint.escape(run) : run;
      run = '';
    }
  };
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        flush();
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        run += `\\u${hex4(code)}`;
      }
      continue;
    }
    if (keep && (code === 0x0a || code === 0x09)) {
      flush();
      out += s[i];
      continue;
    }
    if (keep && code === 0x0d && s.charCodeAt(i + 1) === 0x0a) {
      flush();
      out += '\r\n';
      i++;
      continue;
    }
    const esc = escapeFor(code);
    if (esc === undefined) {
      flush();
      out += s[i];
    } else {
      run += esc;
    }
  }
  flush();
  return out;
}

/**
 * Raw wire bytes as text: printable ASCII as itself, everything else as `\xNN` (`\r`, `\n`,
 * `\t` named). With keepNewlines, every LF is shown as `\n` and followed by a real newline,
 * so `\r\n` reads as `\r\n⏎`.
 */
export function escapeBytes(buf: Buffer, paint?: EscapePaint, opts: EscapeOptions = {}): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run) {
      out += paint ? paint.escape(run) : run;
      run = '';
    }
  };
  for (const b of buf) {
    if (b >= 0x20 && b < 0x7f) {
      flush();
      out += String.fromCharCode(b);
    } else {
      run += NAMED[b] ?? `\\x${hex2(b)}`;
      if (b === 0x0a && opts.keepNewlines) {
        flush();
        out += '\n';
      }
    }
  }
  flush();
  return out;
}
