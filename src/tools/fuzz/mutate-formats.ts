// Format-aware mutations: they know where HTTP heads end, which numbers are lengths, where a
// UTF-16 body and a CAB or minidump start and which of their fields are offsets and counts — so
// a mutation gets past the first check and reaches the code behind it. After changing an HTTP
// body they fix Content-Length (when there is one) so the framer hands the new body over whole.
// Pure: buffers in, buffers out.
import type { Rng } from './rng.js';
import { INTERESTING_32, INTERESTING_TEXT, MAX_INPUT_BYTES, type Mutator } from './mutate.js';
import { cabChecksum, CFDATA_SIZE, CFFILE_SIZE, CFFOLDER_SIZE, CFHEADER_SIZE } from '../../domain/cab/cab.js';

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Things a hostile peer puts into names, values and text. */
export const HOSTILE_STRINGS = [
  '\x1b]0;pwned\x07', '\x1b]2;title\x1b\\', '\x1b[2J\x1b[H', '\x1b[31mred', '\x1b[?1049h', '\x9b2J', '\x1bP+q\x1b\\',
  '\u202egnp.exe', '\u2066x\u2069', '\u2028', '\u0000', '\r', '\b\b\b', '\x07', '\ud800', '\udc00x', '\ufeff', '\ufffd',
  '../../../etc/passwd', '..\\..\\Windows\\win.ini', 'C:\\evil', 'CON', 'nul.txt', '%5C..%5C', '&amp;&#27;&#x1b;&#0;&#xd800;',
  '&lt;&gt;&quot;&apos;&unknown;', '<!--', ']]>', '"', "'", '<', '&', 'x'.repeat(300), 'A'.repeat(70),
];

/** Offset where the body of the first HTTP message starts (after the blank line), or -1. */
function bodyStart(b: Buffer): number {
  const i = b.indexOf(HEAD_END);
  return i < 0 ? -1 : i + 4;
}

/** Replaces the body of the first message, fixing its Content-Length if it has one. */
function withBody(b: Buffer, newBody: Buffer): Buffer {
  const start = bodyStart(b);
  if (start < 0) return newBody.length > MAX_INPUT_BYTES ? newBody.subarray(0, MAX_INPUT_BYTES) : newBody;
  const head = b.subarray(0, start).toString('latin1');
  const m = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i.exec(head);
  if (!m) return Buffer.concat([b.subarray(0, start), newBody]);
  const oldLen = Number(m[1]);
  const rest = b.subarray(Math.min(b.length, start + oldLen));
  const fixed = head.slice(0, m.index) + m[0].replace(m[1]!, String(newBody.length)) + head.slice(m.index + m[0].length);
  const out = Buffer.concat([Buffer.from(fixed, 'latin1'), newBody, rest]);
  return out.length > MAX_INPUT_BYTES ? out.subarray(0, MAX_INPUT_BYTES) : out;
}

/** The body of the first message (whole input when it has no head). */
function bodyOf(b: Buffer): Buffer {
  const start = bodyStart(b);
  if (start < 0) return b;
  const m = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i.exec(b.subarray(0, start).toString('latin1'));
  return m ? b.subarray(start, start + Number(m[1])) : b.subarray(start);
}

// ---- HTTP ----------------------------------------------------------------------------------

/** Content-Length and chunk-size values: interesting numbers, duplicates, conflicts, TE + CL. */
export const mutateHttpLengths: Mutator = (b, r) => {
  const s = b.toString('latin1');
  const choice = r.int(6);
  if (choice === 0) {
    const m = [...s.matchAll(/(content-length:[ \t]*)([^\r\n]*)/gi)];
    if (m.length) {
      const hit = r.pick(m);
      const at = hit.index! + hit[1]!.length;
      return Buffer.from(s.slice(0, at) + r.pick(INTERESTING_TEXT) + s.slice(at + hit[2]!.length), 'latin1');
    }
  }
  if (choice === 1) {
    // a second Content-Length, equal or not
    const m = /content-length:[ \t]*(\d+)\r\n/i.exec(s);
    if (m) {
      const v = r.chance(0.5) ? m[1]! : r.pick(INTERESTING_TEXT);
      return Buffer.from(s.slice(0, m.index) + `Content-Length: ${v}\r\n` + s.slice(m.index), 'latin1');
    }
  }
  if (choice === 2) {
    // Transfer-Encoding next to Content-Length, or an odd coding list
    const at = s.indexOf('\r\n');
    if (at >= 0) {
      const te = r.pick(['chunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'chunked;q=1', ' chunked ', 'CHUNKED', 'x']);
      return Buffer.from(s.slice(0, at + 2) + `Transfer-Encoding: ${te}\r\n` + s.slice(at + 2), 'latin1');
    }
  }
  if (choice === 3) {
    // re-chunk the first body with random chunk sizes (and maybe a broken size line)
    const start = bodyStart(b);
    if (start >= 0) {
      const body = bodyOf(b);
      const head = b.subarray(0, start).toString('latin1').replace(/content-length:[^\r\n]*\r\n/gi, '');
      const parts: string[] = [];
      for (let off = 0; off < body.length;) {
        const n = 1 + r.int(Math.min(4096, body.length - off));
        const size = r.chance(0.05) ? r.pick(INTERESTING_TEXT) : n.toString(16);
        const ext = r.chance(0.1) ? ';name="v"' : '';
        parts.push(`${size}${ext}\r\n${body.subarray(off, off + n).toString('latin1')}\r\n`);
        off += n;
      }
      const trailer = r.chance(0.2) ? 'Trailer-X: 1\r\n' : '';
      const head2 = head.replace(/\r\n\r\n$/, '\r\nTransfer-Encoding: chunked\r\n\r\n');
      return Buffer.from(head2 + parts.join('') + `0\r\n${trailer}\r\n` + b.subarray(start + body.length).toString('latin1'), 'latin1');
    }
  }
  if (choice === 4) {
    // a chunk size line replaced
    const m = [...s.matchAll(/\r\n([0-9a-fA-F]+)(;[^\r\n]*)?\r\n/g)];
    if (m.length) {
      const hit = r.pick(m);
      const at = hit.index! + 2;
      return Buffer.from(s.slice(0, at) + r.pick(INTERESTING_TEXT) + s.slice(at + hit[1]!.length), 'latin1');
    }
  }
  // a hostile or huge header line
  const at = s.indexOf('\r\n');
  if (at < 0) return b;
  const value = r.chance(0.02) ? 'v'.repeat(1 << (10 + r.int(11))) : r.pick(HOSTILE_STRINGS);
  const name = r.chance(0.8) ? 'X-Fuzz' : r.pick(['X\x00Y', 'X Y', '', 'Host', 'Expect']);
  const line = `${name}: ${Buffer.from(value, 'utf8').toString('latin1')}\r\n`;
  return Buffer.from(s.slice(0, at + 2) + line + s.slice(at + 2), 'latin1').subarray(0, MAX_INPUT_BYTES);
};

// ---- UTF-16 text (level 1 reports) ----------------------------------------------------------

function hostileXml(r: Rng): string {
  switch (r.int(6)) {
    case 0: return '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    case 1: return '<a>'.repeat(1 + r.int(r.chance(0.1) ? 400 : 40));
    case 2: return ` x${r.int(100)}="${'v'.repeat(1 << r.int(r.chance(0.05) ? 17 : 10))}"`;
    case 3: return '<![CDATA[' + r.pick(HOSTILE_STRINGS) + ']]>';
    case 4: return `<?pi ${r.pick(HOSTILE_STRINGS)}?>`;
    default: return Array.from({ length: 1 + r.int(r.chance(0.05) ? 2000 : 50) }, (_, i) => ` a${i}="${i}"`).join('');
  }
}

/** Decodes the body as UTF-16 (after a BOM), changes the text, re-encodes (BOM, byte order
 * and odd lengths varied), and puts it back with Content-Length fixed. */
export const mutateUtf16: Mutator = (b, r) => {
  const body = bodyOf(b);
  const hasBom = body[0] === 0xff && body[1] === 0xfe;
  let text = body.subarray(hasBom ? 2 : 0, body.length & ~1).toString('utf16le');
  const at = r.int(text.length + 1);
  switch (r.int(4)) {
    case 0: text = text.slice(0, at) + r.pick(HOSTILE_STRINGS) + text.slice(at); break;
    case 1: {
      // into an attribute value, where names and paths live
      const quotes = [...text.matchAll(/="/g)];
      const q = quotes.length ? r.pick(quotes).index! + 2 : at;
      text = text.slice(0, q) + r.pick(HOSTILE_STRINGS) + text.slice(q);
      break;
    }
    case 2: text = text.slice(0, at) + hostileXml(r) + text.slice(at); break;
    default: text = text.slice(0, at) + String.fromCharCode(r.int(0x10000)) + text.slice(at + r.int(2));
  }
  let out = Buffer.from(text, 'utf16le');
  if (r.chance(0.1)) out.swap16(); // big-endian
  const bom = r.int(10);
  if (bom < 6) out = Buffer.concat([Buffer.from(bom === 5 ? [0xfe, 0xff] : [0xff, 0xfe]), out]);
  else if (bom === 6) out = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), out]);
  if (r.chance(0.05)) out = Buffer.concat([out, Buffer.from([r.int(256)])]); // odd length
  return withBody(b, out);
};

// ---- CAB ------------------------------------------------------------------------------------

/** Offsets of the CAB's counting and pointing fields ([MS-CAB] §2.1–§2.4), found by walking it. */
function cabFields(cab: Buffer): { at: number; size: 1 | 2 | 4 }[] {
  const f: { at: number; size: 1 | 2 | 4 }[] = [
    { at: 8, size: 4 }, { at: 16, size: 4 }, { at: 24, size: 1 }, { at: 25, size: 1 }, { at: 26, size: 2 },
    { at: 28, size: 2 }, { at: 30, size: 2 }, { at: 34, size: 2 },
  ];
  if (cab.length < CFHEADER_SIZE) return f;
  const cFolders = cab.readUInt16LE(26), cFiles = cab.readUInt16LE(28), coffFiles = cab.readUInt32LE(16);
  for (let i = 0, p = CFHEADER_SIZE; i < Math.min(cFolders, 8) && p + CFFOLDER_SIZE <= cab.length; i++, p += CFFOLDER_SIZE) {
    f.push({ at: p, size: 4 }, { at: p + 4, size: 2 }, { at: p + 6, size: 2 });
    // the folder's first CFDATA
    const d = cab.readUInt32LE(p);
    if (d + CFDATA_SIZE <= cab.length) f.push({ at: d, size: 4 }, { at: d + 4, size: 2 }, { at: d + 6, size: 2 });
  }
  for (let i = 0, p = coffFiles; i < Math.min(cFiles, 16) && p + CFFILE_SIZE <= cab.length; i++) {
    f.push({ at: p, size: 4 }, { at: p + 4, size: 4 }, { at: p + 8, size: 2 }, { at: p + 14, size: 2 });
    const nul = cab.indexOf(0, p + CFFILE_SIZE);
    if (nul < 0) break;
    p = nul + 1;
  }
  return f.filter((x) => x.at + x.size <= cab.length);
}

/** Rewrites every CFDATA checksum of folder 0 so that changed payloads still pass it. */
function fixChecksums(cab: Buffer): void {
  if (cab.length < CFHEADER_SIZE + CFFOLDER_SIZE || cab.readUInt16LE(26) === 0) return;
  let p = cab.readUInt32LE(CFHEADER_SIZE);
  const n = cab.readUInt16LE(CFHEADER_SIZE + 4);
  for (let i = 0; i < n && p + CFDATA_SIZE <= cab.length; i++) {
    const cb = cab.readUInt16LE(p + 4);
    if (p + CFDATA_SIZE + cb > cab.length) return;
    const sum = cabChecksum(cab.subarray(p + CFDATA_SIZE, p + CFDATA_SIZE + cb));
    cab.writeUInt32LE(cabChecksum(cab.subarray(p + 4, p + 8), sum), p);
    p += CFDATA_SIZE + cb;
  }
}

/** Edits the CAB/minidump found in the input in place (it runs to the end of the input). */
export function mutateEmbedded(b: Buffer, magic: string, edit: (x: Buffer, r: Rng) => void, r: Rng): Buffer {
  const at = b.indexOf(magic, 0, 'latin1');
  if (at < 0) return b;
  const out = Buffer.from(b);
  edit(out.subarray(at), r);
  return out;
}

/** A bit flipped near the start of a CFDATA payload, where MSZIP and LZX keep their block
 * headers and Huffman trees, with the checksums fixed so that the decoder has to judge it. */
function flipPayloadHead(cab: Buffer, rng: Rng): void {
  if (cab.length < CFHEADER_SIZE + CFFOLDER_SIZE || cab.readUInt16LE(26) === 0) return;
  let p = cab.readUInt32LE(CFHEADER_SIZE);
  const n = Math.min(cab.readUInt16LE(CFHEADER_SIZE + 4), 64);
  for (let i = rng.int(Math.max(1, n)); i > 0 && p + CFDATA_SIZE <= cab.length; i--) p += CFDATA_SIZE + cab.readUInt16LE(p + 4);
  if (p + CFDATA_SIZE > cab.length) return;
  const cb = Math.min(cab.readUInt16LE(p + 4), 64, cab.length - p - CFDATA_SIZE);
  if (cb <= 0) return;
  cab[p + CFDATA_SIZE + rng.int(cb)] ^= 1 << rng.int(8);
  fixChecksums(cab);
}

/** A CAB header, folder, file or CFDATA field set to an interesting number (4 GiB sizes,
 * offsets past the end, 65535 counts), a payload byte changed or a bit of a payload's head
 * flipped, with the checksums fixed. */
export const mutateCab: Mutator = (b, r) => mutateEmbedded(b, 'MSCF', (cab, rng) => {
  if (rng.chance(0.2)) {
    flipPayloadHead(cab, rng);
    return;
  }
  if (rng.chance(0.3)) {
    if (cab.length > 0) cab[rng.int(cab.length)] = rng.int(256);
    fixChecksums(cab);
    return;
  }
  const fields = cabFields(cab);
  if (fields.length === 0) return;
  const f = rng.pick(fields);
  const v = rng.chance(0.8) ? rng.pick(INTERESTING_32) : rng.int(0x100000000);
  if (f.size === 1) cab[f.at] = v & 0xff;
  else if (f.size === 2) cab.writeUInt16LE(v & 0xffff, f.at);
  else cab.writeUInt32LE(v >>> 0, f.at);
  if (rng.chance(0.5)) fixChecksums(cab);
}, r);

// ---- minidump -------------------------------------------------------------------------------

/** A minidump header, directory or stream field (counts, RVAs, sizes, string lengths) set to
 * an interesting number. */
export const mutateMinidump: Mutator = (b, r) => mutateEmbedded(b, 'MDMP', (d, rng) => {
  if (d.length < 32) return;
  const fields = [4, 8, 12, 16, 20, 24, 28];
  const streams = Math.min(d.readUInt32LE(8), 16), dir = d.readUInt32LE(12);
  for (let i = 0; i < streams; i++) {
    const e = dir + i * 12;
    if (e + 12 > d.length) break;
    fields.push(e, e + 4, e + 8);
    const rva = d.readUInt32LE(e + 8);
    // first words of each stream: counts, string RVAs, module fields
    for (let k = 0; k < 8; k++) if (rva + k * 4 + 4 <= d.length) fields.push(rva + k * 4);
    for (let k = 0; k < 4; k++) if (rva + 4 + 20 + k * 108 + 4 <= d.length) fields.push(rva + 4 + 20 + k * 108); // module name RVAs
  }
  const at = rng.pick(fields);
  if (at + 4 > d.length) return;
  d.writeUInt32LE((rng.chance(0.8) ? rng.pick(INTERESTING_32) : rng.int(0x100000000)) >>> 0, at);
}, r);
