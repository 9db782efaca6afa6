// The double-byte charsets (Chinese, Japanese, Korean) are decoded by the runtime's
// TextDecoder (ICU, the WHATWG Encoding Standard's decoders), not by iconv-lite: iconv-lite
// builds its table for each of them on first use, from a JSON file it reads then — 12–160 ms
// on the thread that serves sockets, set off by a Content-Type header alone, and a file to
// open, which fails while clients hold every descriptor. ICU's first decode of one costs under
// 2 ms. Names are matched as iconv-lite matches them (lower case, letters and digits only).
import { TextDecoder } from 'node:util';

/** iconv-lite's names for its double-byte charsets → the WHATWG label that decodes them. */
const LABELS = new Map<string, string>();
const GROUPS: ReadonlyArray<[label: string, names: string]> = [
  ['shift_jis', 'shiftjis csshiftjis mskanji sjis windows31j ms31j xsjis windows932 ms932 932 cp932'],
  ['euc-jp', 'eucjp'],
  ['gbk', 'gbk xgbk gb2312 gb231280 gb23121980 csgb2312 csiso58gb231280 euccn windows936 ms936 936 cp936 isoir58 chinese'],
  ['gb18030', 'gb18030'],
  ['euc-kr', 'euckr cseuckr csksc56011987 isoir149 korean ksc56011987 ksc56011989 ksc5601 windows949 ms949 949 cp949'],
  ['big5', 'big5 big5hkscs cnbig5 csbig5 xxbig5 windows950 ms950 950 cp950'],
];
for (const [label, names] of GROUPS) for (const n of names.split(' ')) LABELS.set(n, label);

const decoders = new Map<string, TextDecoder | null>();

/** A TextDecoder for `charset` when it is one of the double-byte charsets and this runtime's
 * ICU has it (a Node built with small-icu does not: iconv-lite then decodes it as before). */
export function doubleByteDecoder(charset: string): TextDecoder | undefined {
  const label = LABELS.get(charset.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, ''));
  if (label === undefined) return undefined;
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    decoders.set(label, d);
  }
  return d ?? undefined;
}
