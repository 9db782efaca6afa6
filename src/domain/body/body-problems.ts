// What is wrong inside a message body, as problems (the framing was fine, the content is not):
// malformed XML in a report, a DOCTYPE (entities are never expanded), UTF-16 cut at an odd
// length, lone surrogates, a BOM that contradicts the bytes, control and bidi characters in
// decoded text (terminal escape sequences hidden in a report), names that try to leave a folder
// (machine/app names used for --save-dir, DumpFile paths, CAB file names), and a damaged CAB or
// minidump. One problem per kind and message, with a specific message; the body is still shown
// (escaped) and recorded byte for byte. Pure: a decoding in, a list out.
import type { Body } from '../../model.js';
import { heldBytes, type MessageDecoding } from './message.js';
import type { XmlNode } from './xml.js';
import { level1List } from '../server/level1-response.js';
import { safeExtractPath, EXPANSION_CODE } from '../cab/cab-extract.js';
import { CAB_OVERLAP } from '../cab/cab-overlap.js';

export interface BodyProblem {
  code:
    | 'bad-xml' | 'xml-doctype' | 'odd-length-utf16' | 'lone-surrogate' | 'bom-mismatch' | 'control-characters'
    | 'unsafe-name' | 'unsafe-dump-path' | 'unsafe-cab-name' | 'bad-cab' | 'bad-minidump' | 'huge-value'
    | 'cab-overlap' | 'cab-expansion' | 'too-large';
  message: string;
}

/** C0 controls but TAB/LF/CR, DEL, C1, bidi embeddings/overrides/isolates, line separators. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** `..` as a whole path segment, a leading separator or a drive: ways out of a folder. */
const ESCAPES_FOLDER = /(^|[\\/])\.\.([\\/]|$)|^[\\/]|^[A-Za-z]:/;
/** DumpFile paths start with `\` (the server's root, docs/protocol.md §5): only `..`, a drive or a
 * UNC host (`\\\\host`) leave it. `%2e%2e` and `%5c` count, as servers may decode them. */
const DUMP_ESCAPE = /(^|[\\/])\.\.([\\/]|$)|^[A-Za-z]:|^[\\/]{2}/;

/** Attribute values longer than this are far beyond anything WER sends (names, paths). */
export const HUGE_VALUE_CHARS = 16 * 1024;

/** The first attribute longer than HUGE_VALUE_CHARS (iteratively: trees can be deep). */
function hugeAttribute(nodes: XmlNode[]): { element: string; name: string; length: number } | undefined {
  const stack = [...nodes];
  while (stack.length) {
    const n = stack.pop()!;
    for (const [name, value] of n.attrs) if (value.length > HUGE_VALUE_CHARS) return { element: n.name, name, length: value.length };
    for (const c of n.children) stack.push(c);
  }
  return undefined;
}

function unit(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function controlName(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x1b) return 'ESC (a terminal escape sequence)';
  if (code === 0x9b) return 'CSI (a terminal escape sequence)';
  if (code === 0) return 'NUL';
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return `${unit(c)} (a bidi control: text reads backwards)`;
  return unit(c);
}

function short(s: string, max = 60): string {
  const t = JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
  return t.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A BOM for one byte order in front of UTF-16 text in the other (NULs on the wrong side). */
function bomMismatch(bytes: Buffer): string | undefined {
  const be = bytes[0] === 0xfe && bytes[1] === 0xff;
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (!be && !le) return undefined;
  let even = 0;
  let odd = 0;
  const n = Math.min(bytes.length, 66);
  for (let i = 2; i < n; i++) if (bytes[i] === 0) (i % 2 === 0 ? even++ : odd++);
  const units = (n - 2) >> 1;
  if (units < 4) return undefined;
  if (be && odd >= units / 2 && even === 0) return 'the BOM says UTF-16BE (FE FF) but the bytes are UTF-16LE (NULs after each letter)';
  if (le && even >= units / 2 && odd === 0) return 'the BOM says UTF-16LE (FF FE) but the bytes are UTF-16BE (NULs before each letter)';
  return undefined;
}

export function bodyProblems(dec: MessageDecoding, body: Body): BodyProblem[] {
  const out: BodyProblem[] = [];
  const data = heldBytes(body);
  if (!data || data.length === 0) {
    // A spooled upload: its CAB view is all there is to judge.
    if (dec.cab) cabProblems(dec.cab, out);
    return out;
  }
  if (dec.failure && (dec.failure.view === 'wer-report' || dec.failure.view === 'xml')) {
    const what = dec.failure.view === 'wer-report' ? 'a well-formed WER report' : 'well-formed XML';
    out.push({ code: 'bad-xml', message: `expected ${what}, saw: ${dec.failure.message} — shown as text` });
  }
  const text = dec.text;
  const charset = dec.charset?.name ?? '';
  const bomMsg = bomMismatch(data);
  if (bomMsg) out.push({ code: 'bom-mismatch', message: `${bomMsg} — decoded as the BOM says, which garbles it` });
  if (/^utf-?16/.test(charset)) {
    const bom = dec.charset?.rule === 'bom' ? 2 : 0;
    if ((body.length - bom) % 2 === 1) out.push({ code: 'odd-length-utf16', message: `expected UTF-16 to have an even length, saw ${body.length - bom} bytes after the BOM: the last byte is shown as U+FFFD (cut short?)` });
  }
  if (text !== undefined && dec.kind !== 'binary') {
    if ((dec.kind === 'xml' || dec.kind === 'wer-report' || dec.failure) && /<!DOCTYPE/i.test(text)) {
      out.push({ code: 'xml-doctype', message: 'the XML declares a DOCTYPE: its entities are never expanded (no "billion laughs"), and WER never sends one' });
    }
    const lone = LONE_SURROGATE.exec(text);
    if (lone) out.push({ code: 'lone-surrogate', message: `the decoded text holds an unpaired surrogate ${unit(lone[0])} at character ${lone.index} (invalid UTF-16) — shown as \\u${lone[0].charCodeAt(0).toString(16)}` });
    const ctl = CONTROL.exec(text);
    if (ctl) out.push({ code: 'control-characters', message: `the decoded ${dec.kind === 'wer-report' ? 'report' : 'text'} holds ${controlName(ctl[0])} at character ${ctl.index} — shown escaped, never sent to the terminal` });
  }
  const huge = dec.xml ? hugeAttribute(dec.xml) : undefined;
  if (huge) {
    out.push({ code: 'huge-value', message: `attribute ${short(huge.name)} of ${short(huge.element)} is ${huge.length} characters long, far beyond anything WER sends — shown whole` });
  }
  const r = dec.report;
  if (r) {
    const names: [string, string | undefined][] = [['machine name', r.machine?.name], ['application name', r.application?.name], ['event type', r.event?.eventType]];
    for (const [what, v] of names) {
      // separators alone are harmless (folder names replace them); `..`, a root or a drive
      // is someone trying to climb out of the folder
      if (v !== undefined && ESCAPES_FOLDER.test(v)) {
        out.push({ code: 'unsafe-name', message: `the report's ${what} ${short(v)} is a path that climbs out of a folder ("..", a root or a drive); --save-dir folder names use a safe version` });
        break;
      }
    }
  }
  if (dec.level1) {
    for (const p of level1List(dec.level1, 'DumpFile')) {
      let decoded = p;
      try {
        decoded = decodeURIComponent(p);
      } catch {
        // not percent-encoded: judge it as it is
      }
      if (DUMP_ESCAPE.test(p) || DUMP_ESCAPE.test(decoded)) {
        out.push({ code: 'unsafe-dump-path', message: `DumpFile ${short(p)} climbs out of the server's folder ("..", a drive or a UNC host): a client would PUT the CAB there` });
        break;
      }
    }
  }
  if (dec.cab) cabProblems(dec.cab, out);
  return out;
}

function cabProblems(cab: NonNullable<MessageDecoding['cab']>, out: BodyProblem[]): void {
  for (const f of cab.cab.files) {
    const safe = safeExtractPath(f.name);
    if (ESCAPES_FOLDER.test(f.name) || CONTROL.test(f.name)) {
      out.push({ code: 'unsafe-cab-name', message: `CAB file name ${short(f.name)} would leave the extract folder or holds control characters; extracted as ${short(safe)}` });
      break;
    }
  }
  // Not damage: a file the view does not decode, the expansion budget running out, and
  // overlapping records each get their own problem code, once per cabinet.
  const overlap = cab.cab.problems.find((p) => p.code === CAB_OVERLAP);
  if (overlap) out.push({ code: 'cab-overlap', message: overlap.message });
  const stopped = cab.entries.find((e) => e.error?.code === EXPANSION_CODE && e.error.message.startsWith('extraction stopped here'));
  if (stopped) out.push({ code: 'cab-expansion', message: `${short(stopped.name)}: ${stopped.error!.message}` });
  const large = cab.entries.filter((e) => e.error?.code === 'too-large');
  if (large.length) out.push({ code: 'too-large', message: `${short(large[0]!.name)} (${large[0]!.size} bytes): ${large[0]!.error!.message}${large.length > 1 ? ` (and ${large.length - 1} more)` : ''}` });
  const notDamage = new Set([CAB_OVERLAP, EXPANSION_CODE, 'too-large']);
  const issues = [...cab.cab.problems, ...cab.entries.flatMap((e) => (e.error ? [{ code: e.error.code, message: `${e.name}: ${e.error.message}` }] : []))]
    .filter((p) => !notDamage.has(p.code));
  if (issues.length) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    out.push({ code: 'bad-cab', message: `damaged cabinet: ${issues[0]!.code}: ${issues[0]!.message}${more}` });
  }
  for (const e of cab.entries) {
    // 'capped' says the summary lists less than the dump holds (a big but sound dump): not damage.
    const damage = (e.minidump?.problems ?? []).filter((p) => p.code !== 'capped');
    const p = damage[0];
    if (p) {
      out.push({ code: 'bad-minidump', message: `damaged minidump ${short(e.name)}: ${p.code}: ${p.message}${damage.length > 1 ? ` (and ${damage.length - 1} more)` : ''}` });
      break;
    }
  }
}
