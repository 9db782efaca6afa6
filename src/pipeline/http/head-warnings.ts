// Things in a well-framed head that a sniffer should point out without giving up on the
// message: they become problems, but framing goes on (the head is valid enough to follow).
// - control characters in a header value (RFC 9110 §5.5: CR, LF, NUL are "invalid and
//   dangerous", other CTLs are not field-vchar) and bidi controls written as UTF-8 bytes —
//   they are shown escaped, never raw;
// - Transfer-Encoding together with Content-Length (RFC 9112 §6.3 step 3: TE wins, but such a
//   message "ought to be handled as an error" — the classic request-smuggling shape);
// - the same Content-Length repeated (accepted per RFC 9110 §8.6, rejected by some servers).
// Pure: a head in, a list out. It does not decide framing (body-length.ts) or reject anything.
import type { MessageHead } from '../../model.js';
import { formatExcerpt } from './head.js';

export interface HeadWarning {
  code: 'bad-header-value' | 'te-and-content-length' | 'duplicate-content-length';
  message: string;
  /** Index in `head.headers` of the header concerned. */
  headerIndex: number;
}

/** C0 controls but HTAB, and DEL. */
const CTL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** U+202A–U+202E and U+2066–U+2069 as UTF-8 bytes, read as latin1 (as header values are). */
const UTF8_BIDI = /\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]/;

function describeControl(value: string): string {
  const m = CTL.exec(value);
  if (m) {
    const c = m[0].charCodeAt(0);
    const name = c === 0 ? 'NUL' : c === 0x1b ? 'ESC (a terminal escape sequence?)' : c === 0x7f ? 'DEL' : `\\x${c.toString(16).padStart(2, '0')}`;
    return `control character ${name}`;
  }
  return 'a bidi control character (UTF-8), which can make text read backwards';
}

export function headWarnings(head: MessageHead): HeadWarning[] {
  const out: HeadWarning[] = [];
  let te = -1;
  const cl: number[] = [];
  head.headers.forEach(([name, value], i) => {
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding' && te < 0) te = i;
    if (lower === 'content-length') cl.push(i);
    if (out.length === 0 && (CTL.test(value) || UTF8_BIDI.test(value))) {
      out.push({
        code: 'bad-header-value',
        message: `expected a ${formatExcerpt(Buffer.from(name, 'latin1'), 40)} header value without control characters (RFC 9110 §5.5), saw ${describeControl(value)}: ${formatExcerpt(Buffer.from(value, 'latin1'))} — shown escaped`,
        headerIndex: i,
      });
    }
  });
  if (te >= 0 && cl.length > 0) {
    out.push({
      code: 'te-and-content-length',
      message: 'expected Transfer-Encoding or Content-Length, saw both: framed by Transfer-Encoding (RFC 9112 §6.3), but servers that use Content-Length would split this stream differently (request smuggling?)',
      headerIndex: cl[0]!,
    });
  } else if (cl.length > 1 || (cl.length === 1 && head.headers[cl[0]!]![1].includes(','))) {
    const values = cl.map((i) => head.headers[i]![1]).join(' | ');
    out.push({
      code: 'duplicate-content-length',
      message: `expected one Content-Length, saw the same value repeated (${formatExcerpt(Buffer.from(values, 'latin1'))}): accepted (RFC 9110 §8.6), though some servers reject it`,
      headerIndex: cl[1] ?? cl[0]!,
    });
  }
  return out;
}
