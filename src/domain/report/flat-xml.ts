// A fast path for the XML of level 1 reports: one forward scan that accepts only the simple
// shape WER clients send (an optional leading `<?xml …?>`, elements with quoted attributes,
// whitespace between them) and returns the same XmlNode tree as parseXml (domain/body/xml.ts,
// fast-xml-parser). It never reports errors: anything outside that shape — text, comments,
// CDATA, DOCTYPE, other processing instructions, `<` in a value, repeated attributes,
// non-ASCII names, mismatched tags — returns undefined, and the caller falls back to parseXml,
// which then accepts it or explains what is wrong. test/unit/decode/flat-xml.test.ts proves
// the two agree on every vector and sample and on seeded mutations of them.
import { decodeXmlEntities, type XmlNode } from '../body/xml.js';

/** Beyond this many attributes in one tag, repeats are found with a set, not a scan. */
const MANY_ATTRS = 16;

/** Deeper documents go to fast-xml-parser (its own limit is 256). */
export const FLAT_XML_MAX_DEPTH = 32;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const QUESTION = 0x3f;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/** Scanner state: the text and a cursor. Methods return false / undefined when unsure. */
class Scan {
  i = 0;
  /** Set by attrs(): the tag closed itself (`/>`, or `?>` for the declaration). */
  empty = false;
  /** Attributes of the current tag; copied out at its end, so each list is exactly its size. */
  private readonly scratch: [string, string][] = [];
  /** Names of the current tag's attributes once it has MANY_ATTRS of them. */
  private names: Set<string> | undefined;
  constructor(readonly s: string) {}

  spaces(): number {
    const start = this.i;
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++;
    return this.i - start;
  }

  /** An ASCII XML name, or undefined. */
  name(): string | undefined {
    const s = this.s;
    const start = this.i;
    if (start >= s.length || !isNameStart(s.charCodeAt(start))) return undefined;
    let i = start + 1;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    this.i = i;
    return s.slice(start, i);
  }

  /** Whether the next characters are `name` followed by something that cannot extend it. */
  isName(name: string): boolean {
    const end = this.i + name.length;
    if (!this.s.startsWith(name, this.i) || isNameChar(this.s.charCodeAt(end))) return false;
    this.i = end;
    return true;
  }

  /**
   * Attributes up to `>` or `/>` (elements) or `?>` (the declaration), and `empty` set, or
   * undefined when unsure.
   */
  attrs(pi: boolean): [string, string][] | undefined {
    const s = this.s;
    const attrs = this.scratch;
    attrs.length = 0;
    this.names = undefined;
    for (;;) {
      const spaced = this.spaces() > 0;
      const c = s.charCodeAt(this.i);
      if (pi) {
        if (c === QUESTION && s.charCodeAt(this.i + 1) === GT) {
          this.i += 2;
          this.empty = true;
          return attrs.slice();
        }
      } else if (c === GT) {
        this.i++;
        this.empty = false;
        return attrs.slice();
      } else if (c === SLASH && s.charCodeAt(this.i + 1) === GT) {
        this.i += 2;
        this.empty = true;
        return attrs.slice();
      }
      if (!spaced) return undefined;
      const name = this.name();
      if (name === undefined) return undefined;
      this.spaces();
      if (s.charCodeAt(this.i) !== EQ) return undefined;
      this.i++;
      this.spaces();
      const q = s.charCodeAt(this.i);
      if (q !== QUOT && q !== APOS) return undefined;
      const end = s.indexOf(q === QUOT ? '"' : "'", this.i + 1);
      if (end < 0) return undefined;
      const raw = s.slice(this.i + 1, end);
      // `<` in a value is not XML; the validator ends a declaration at the first `?>`
      if (raw.includes('<') || (pi && raw.includes('?'))) return undefined;
      if (attrs.length < MANY_ATTRS) {
        for (let k = 0; k < attrs.length; k++) if (attrs[k]![0] === name) return undefined;
      } else {
        // a long list: a set, so a hostile tag with 100,000 attributes stays linear
        if (attrs.length === MANY_ATTRS) this.names = new Set(attrs.map((a) => a[0]));
        if (this.names!.has(name)) return undefined;
        this.names!.add(name);
      }
      this.i = end + 1;
      attrs.push([name, decodeXmlEntities(raw)]);
    }
  }
}

/**
 * The XmlNode tree of `text` when it has the simple shape described above, else undefined.
 * Equal (deep) to `parseXml(text)` whenever it returns a tree.
 */
export function parseFlatXml(text: string): XmlNode[] | undefined {
  // fast-xml-parser turns every CRLF and lone CR into LF before parsing; so do we.
  const sc = new Scan(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text);
  const s = sc.s;
  const out: XmlNode[] = [];
  if (s.startsWith('<?xml') && isSpace(s.charCodeAt(5))) {
    sc.i = 5;
    const attrs = sc.attrs(true);
    if (!attrs || attrs.length === 0) return undefined;
    out.push({ name: '?xml', attrs, children: [] });
    sc.spaces(); // whitespace at the top level is not kept
  }
  if (s.charCodeAt(sc.i) !== LT) return undefined;
  const stack: XmlNode[] = [];
  let siblings = out;
  for (;;) {
    // at a `<` that opens or closes an element
    if (s.charCodeAt(sc.i + 1) === SLASH) {
      sc.i += 2;
      const open = stack.pop();
      if (open === undefined || !sc.isName(open.name)) return undefined;
      sc.spaces();
      if (s.charCodeAt(sc.i) !== GT) return undefined;
      sc.i++;
    } else {
      sc.i++;
      const name = sc.name();
      if (name === undefined) return undefined;
      const attrs = sc.attrs(false);
      if (!attrs) return undefined;
      const node: XmlNode = { name, attrs, children: [] };
      siblings.push(node);
      if (!sc.empty) {
        if (stack.length >= FLAT_XML_MAX_DEPTH) return undefined;
        stack.push(node);
      }
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    siblings = top.children;
    const start = sc.i;
    if (sc.spaces() > 0) siblings.push({ name: '#text', attrs: [], children: [], text: s.slice(start, sc.i) });
    // text or the end of the input: unsure (`<!` and `<?` fail the name check next round)
    if (s.charCodeAt(sc.i) !== LT) return undefined;
  }
  sc.spaces();
  return sc.i === s.length ? out : undefined;
}
