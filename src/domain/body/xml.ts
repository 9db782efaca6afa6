// Parses XML text into a small ordered tree (elements, text, CDATA, comments, processing
// instructions) with fast-xml-parser, validating first so malformed input fails with a line
// and column. Entity processing in the library is OFF (no DOCTYPE entity expansion, so no
// "billion laughs"); this module decodes only the five predefined entities and numeric
// character references itself. It deliberately keeps control characters as they are:
// escaping for the terminal is the printer's job (util/escape.ts).
import { createRequire } from 'node:module';

// The package's CommonJS bundle: one file that loads in ~12 ms, where its ES modules (dozens
// of files and a large entity table) took ~80 ms of every command's start.
const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');

/**
 * One node. Elements carry their name; character data uses `#text`, `#cdata` or `#comment`
 * with `text` set; processing instructions (including the XML declaration) are `?target`.
 */
export interface XmlNode {
  name: string;
  /** Attributes in document order, values with entities decoded. */
  attrs: [name: string, value: string][];
  children: XmlNode[];
  text?: string;
}

export class XmlParseError extends Error {
  readonly code = 'xml-parse';
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(line === undefined ? message : `line ${line}, column ${col ?? '?'}: ${message}`);
    this.name = 'XmlParseError';
  }
}

const ATTR_PREFIX = '@';
// Tag names get a prefix so names like `constructor` or `__proto__` never reach the
// library's object keys (it throws on those). Self-closing tags get it twice (library quirk),
// hence the loop that strips every leading marker.
const TAG_MARK = '<';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  ignoreDeclaration: false,
  ignorePiTags: false,
  transformTagName: (name: string) => TAG_MARK + name,
  maxNestedTags: 256,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#N;` / `&#xH;`; leave anything else. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? whole;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!Number.isFinite(cp) || cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return whole;
    return String.fromCodePoint(cp);
  });
}

type RawNode = Record<string, unknown>;

function stripMark(name: string): string {
  let i = 0;
  while (name[i] === TAG_MARK) i++;
  return name.slice(i);
}

function textOf(list: unknown): string {
  if (!Array.isArray(list)) return '';
  return list.map((n) => String((n as RawNode)['#text'] ?? '')).join('');
}

function convertAttrs(raw: unknown): [string, string][] {
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Record<string, unknown>).map(([k, v]) => [
    k.startsWith(ATTR_PREFIX) ? k.slice(ATTR_PREFIX.length) : k,
    decodeXmlEntities(String(v)),
  ]);
}

function convert(list: unknown): XmlNode[] {
  if (!Array.isArray(list)) return [];
  const out: XmlNode[] = [];
  for (const raw of list as RawNode[]) {
    const key = Object.keys(raw).find((k) => k !== ':@');
    if (key === undefined) continue;
    const value = raw[key];
    if (key === '#text') {
      out.push({ name: '#text', attrs: [], children: [], text: decodeXmlEntities(String(value)) });
    } else if (key === '#cdata' || key === '#comment') {
      out.push({ name: key, attrs: [], children: [], text: textOf(value) });
    } else if (key.startsWith('?')) {
      out.push({ name: key, attrs: convertAttrs(raw[':@']), children: [] });
    } else {
      out.push({ name: stripMark(key), attrs: convertAttrs(raw[':@']), children: convert(value) });
    }
  }
  return out;
}

/** Parse a whole document. Throws XmlParseError (with line/column) on malformed input. */
export function parseXml(text: string): XmlNode[] {
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new XmlParseError(msg, line, col);
  }
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (e) {
    throw new XmlParseError(e instanceof Error ? e.message : String(e));
  }
  const nodes = convert(raw);
  if (!nodes.some(isElement)) throw new XmlParseError('no root element');
  return nodes;
}

export function isElement(n: XmlNode): boolean {
  const c = n.name.charCodeAt(0);
  return c !== 0x23 && c !== 0x3f; // not `#text`/`#cdata`/`#comment`, not `?pi`
}

/** The first element among `nodes` (the document element of a parsed document). */
export function rootElement(nodes: XmlNode[]): XmlNode | undefined {
  return nodes.find(isElement);
}

/** Case-insensitive attribute look-up. */
export function attrOf(node: XmlNode, name: string): string | undefined {
  // Callers pass lower-case ASCII names; toLowerCase() allocates even when nothing changes.
  const ascii = isLowerAscii(name);
  const lower = ascii ? name : name.toLowerCase();
  const attrs = node.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const k = attrs[i]![0];
    if (k === lower) return attrs[i]![1];
    // A name that lower-cases to ASCII has as many UTF-16 units as the result (only U+0130
    // changes length, and it becomes "i" + U+0307), so other lengths cannot match.
    if (ascii && k.length !== lower.length) continue;
    if (k.toLowerCase() === lower) return attrs[i]![1];
  }
  return undefined;
}

/** Whether `s` has no upper-case ASCII letter and no character past U+007F (so that
 * toLowerCase() would return it unchanged). A loop: cheaper than a regular expression here. */
function isLowerAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return false;
  }
  return true;
}

/** `name.toUpperCase()`, without making a copy when it is upper-case ASCII already (element
 * names as WER sends them). */
export function upperName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || c > 0x7f) return name.toUpperCase();
  }
  return name;
}

/** Concatenated text and CDATA directly inside an element. */
export function textContent(node: XmlNode): string {
  let text = '';
  for (const c of node.children) if (c.name === '#text' || c.name === '#cdata') text += c.text ?? '';
  return text;
}
