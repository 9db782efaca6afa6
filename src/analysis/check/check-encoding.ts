// Encoding and framing of a level-1 request (MS-CER2 §2.1, §2.2.1, docs/protocol.md §3.1): the body is
// "a Unicode XML document" and every example declares encoding="UTF-16"; the declaration, the
// byte-order mark and the bytes must agree; UTF-16 needs an even byte count; Content-Length must
// frame the whole report; the examples POST to /stage2.htm. A missing BOM is not a finding
// (docs/protocol.md §11.2: unknown whether Windows sends one).
import type { Body, Problem, RequestHead } from '../../model.js';
import type { BodyDecoding } from '../../domain/body/views.js';
import { headerValue } from '../../domain/body/views.js';
import { detectBom } from '../../domain/body/charset.js';
import { finding, type Finding } from './rules.js';
import { quote } from './check-structure.js';

const DECLARATION = /^\uFEFF?\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/;

function isUtf16Name(name: string): boolean {
  return /^(utf-?16|ucs-?2|unicode)/i.test(name.trim());
}

export function checkEncoding(body: Body, dec: BodyDecoding): Finding[] {
  const out: Finding[] = [];
  const data = body.data;
  if (!data || data.length === 0 || !dec.charset || dec.text === undefined) return out;
  const actual = dec.charset.name;
  const actual16 = isUtf16Name(actual);
  const declared = DECLARATION.exec(dec.text)?.[1];
  const bom = detectBom(data)?.charset;
  const bom16 = bom !== undefined && bom !== 'utf-8';
  let contradicted = false;
  if (bom && declared !== undefined && isUtf16Name(declared) !== bom16) {
    contradicted = true;
    out.push(finding('bom-mismatch', `the body starts with a ${bom.toUpperCase()} byte-order mark but the XML declaration says encoding=${quote(declared)}`, bom16 ? 'declare encoding="UTF-16"' : 'send UTF-16LE with the BOM FF FE, or drop the BOM'));
  }
  if (!contradicted && declared !== undefined && isUtf16Name(declared) !== actual16) {
    contradicted = true;
    out.push(actual16
      ? finding('encoding-mismatch', `the XML declaration says encoding=${quote(declared)} but the body is ${actual.toUpperCase()}`, 'declare encoding="UTF-16" (as every MS-CER2 example does)')
      : finding('encoding-mismatch', `the XML declaration says encoding=${quote(declared)} but the body is 1-byte text (${actual})`, 'encode the XML as UTF-16LE (BOM FF FE) as Windows does, or fix the declaration'));
  }
  if (!actual16 && !contradicted) {
    out.push(finding('not-utf16', `the body is ${actual} text, not UTF-16`, 'send the report as UTF-16LE with encoding="UTF-16", as Windows and every MS-CER2 example do'));
  }
  if (actual === 'utf-16be') {
    out.push(finding('utf16-big-endian', 'the body is UTF-16 big-endian', 'Windows sends little-endian (BOM FF FE); use that unless your server reads both'));
  }
  if (actual16 && data.length % 2 === 1) {
    out.push(finding('utf16-odd-length', `the UTF-16 body has an odd number of bytes (${data.length}): its last character is cut`, 'send whole 2-byte code units; check Content-Length and the encoder'));
  }
  return out;
}

/** Content-Length against what arrived, and whether the report ends inside the body. */
export function checkFraming(head: RequestHead, body: Body, dec: BodyDecoding, problems: readonly Problem[]): Finding[] {
  const out: Finding[] = [];
  const declared = headerValue(head.headers, 'content-length');
  const n = declared !== undefined && /^\s*\d+\s*$/.test(declared) ? Number(declared) : undefined;
  if (!body.complete && body.framing === 'content-length') {
    out.push(finding('content-length-mismatch', `Content-Length says ${declared?.trim()} bytes but only ${body.length} arrived before the connection ended`, 'set Content-Length to the byte length of the encoded body (UTF-16: 2 bytes per character + 2 for the BOM)'));
  } else if (n !== undefined && !dec.xml && dec.text !== undefined && /<\s*WERREPORT[\s/>]/i.test(dec.text) && !/<\/\s*WERREPORT\s*>\s*$|<\s*WERREPORT[^>]*\/>\s*$/i.test(dec.text.replace(/[\0\uFFFD]+$/, ''))) {
    // Only a body that failed to parse can have been cut short by its Content-Length.
    const after = problems.find((p) => p.source === 'client' && p.offset >= 0)?.message;
    out.push(finding('content-length-mismatch', `Content-Length ${n} ends the body before </WERREPORT>${after ? ' (the rest was read as a new request)' : ''}`, 'set Content-Length to the byte length of the encoded body (UTF-16: 2 bytes per character + 2 for the BOM)'));
  } else if (!body.complete) {
    out.push(finding('content-length-mismatch', `the body ended early (${body.length} bytes, ${body.framing} framing)`, 'send the whole body, framed by a correct Content-Length'));
  }
  return out;
}

/** Method and path: the examples POST level 1 to /stage2.htm (§1.3, §4.1–§4.4). */
export function checkTarget(head: RequestHead): Finding[] {
  const out: Finding[] = [];
  if (head.method !== 'POST') {
    out.push(finding('wrong-method', `the report was sent with ${quote(head.method)}, not POST`, 'send level 1 as POST /stage2.htm'));
  }
  const path = head.target.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '';
  // A prefix before /stage2.htm may come from CorporateWERDirectory (docs/protocol.md §10a).
  if (!/(^|[\\/])stage2\.htm$/i.test(path)) {
    out.push(finding('wrong-path', `the report was sent to ${quote(head.target)}, not /stage2.htm`, 'POST level 1 to /stage2.htm, the path Windows uses (MS-CER2 §4.1–§4.4)'));
  }
  return out;
}
