// Pretty-prints a parsed XML tree (domain/body/xml.ts) for the terminal: two-space indentation,
// one element per line, attributes one per line when an element has more than 3 or the line
// would get long, short text kept inline. Names are painted with paint.tag, attribute names
// with paint.key, values with paint.value; every name, value and text goes through
// escapeControl. It deliberately re-escapes only `&`, `<`, `"` (so the output still reads as
// XML) and drops whitespace-only text between elements; exact bytes live elsewhere.
import type { XmlNode } from '../domain/body/xml.js';
import { escapeControl } from '../util/escape.js';
import { plainPaint, type Paint } from './paint.js';
import { append } from '../util/append.js';

/** Lines longer than this (plain width) put attributes on their own lines. */
export const XML_MAX_LINE = 100;
const MAX_INLINE_ATTRS = 3;
const INDENT = '  ';

function escText(s: string): string {
  return /[&<]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;') : s;
}

function escAttr(s: string): string {
  const t = escText(s);
  return t.includes('"') ? t.replace(/"/g, '&quot;') : t;
}

/** A piece of output with its plain width, so layout never measures colour codes. */
interface Piece {
  plain: string;
  painted: string;
}

function piece(s: string, paint: Paint, brush: (s: string) => string): Piece {
  const plain = escapeControl(s);
  // without colour, escaping with the paint gives the plain text again
  return { plain, painted: brush(paint === plainPaint ? plain : escapeControl(s, paint)) };
}

function attrPiece([name, value]: [string, string], paint: Paint): Piece {
  const n = piece(name, paint, paint.key);
  const v = piece(`"${escAttr(value)}"`, paint, paint.value);
  return { plain: `${n.plain}=${v.plain}`, painted: `${n.painted}=${v.painted}` };
}

/** Open tag lines: `<NAME a="1">`, or multi-line with one attribute per line. */
function openTag(node: XmlNode, indent: string, close: string, paint: Paint, open = '<'): string[] {
  return openTagWidth(node, indent, close, paint, open).lines;
}

function openTagWidth(node: XmlNode, indent: string, close: string, paint: Paint, open: string): { lines: string[]; width: number } {
  const name = piece(node.name, paint, paint.tag);
  const attrs = node.attrs.map((a) => attrPiece(a, paint));
  const end = paint.tag(close);
  const oneLine = indent.length + open.length + name.plain.length + attrs.reduce((n, a) => n + 1 + a.plain.length, 0) + close.length;
  if (attrs.length === 0 || (attrs.length <= MAX_INLINE_ATTRS && oneLine <= XML_MAX_LINE)) {
    return { lines: [`${indent}${paint.tag(open)}${name.painted}${attrs.map((a) => ' ' + a.painted).join('')}${end}`], width: oneLine };
  }
  const lines = [`${indent}${paint.tag(open)}${name.painted}`];
  attrs.forEach((a, i) => lines.push(`${indent}${INDENT}${a.painted}${i === attrs.length - 1 ? end : ''}`));
  return { lines, width: oneLine };
}

function textLines(text: string, indent: string, paint: Paint): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => indent + escapeControl(escText(l), paint));
}

function formatNode(node: XmlNode, depth: number, paint: Paint, out: string[]): void {
  const indent = INDENT.repeat(depth);
  if (node.name === '#text') {
    append(out, textLines(node.text ?? '', indent, paint));
    return;
  }
  if (node.name === '#cdata') {
    out.push(`${indent}${paint.dim('<![CDATA[')}${escapeControl(node.text ?? '', paint)}${paint.dim(']]>')}`);
    return;
  }
  if (node.name === '#comment') {
    out.push(paint.dim(`${indent}<!--${escapeControl(node.text ?? '')}-->`));
    return;
  }
  if (node.name.startsWith('?')) {
    append(out, openTag({ ...node, name: node.name.slice(1) }, indent, '?>', paint, '<?'));
    return;
  }
  const children = node.children.filter((c) => c.name !== '#text' || (c.text ?? '').trim() !== '');
  if (children.length === 0) {
    append(out, openTag(node, indent, '/>', paint));
    return;
  }
  const closeTag = `${paint.tag('</')}${piece(node.name, paint, paint.tag).painted}${paint.tag('>')}`;
  const only = children.length === 1 ? children[0] : undefined;
  const inlineText = only?.name === '#text' && !/[\r\n]/.test((only.text ?? '').trim()) ? (only.text ?? '').trim() : undefined;
  const open = openTagWidth(node, indent, '>', paint, '<');
  if (inlineText !== undefined && open.lines.length === 1) {
    const text = escText(inlineText);
    const width = open.width + escapeControl(text).length + escapeControl(node.name).length + 3;
    if (width <= XML_MAX_LINE) {
      out.push(`${open.lines[0]}${escapeControl(text, paint)}${closeTag}`);
      return;
    }
  }
  append(out, open.lines);
  for (const child of children) formatNode(child, depth + 1, paint, out);
  out.push(indent + closeTag);
}

/** Lines of indented XML. Whitespace-only text between elements is not shown. */
export function formatXml(nodes: XmlNode[], paint: Paint): string[] {
  const out: string[] = [];
  for (const node of nodes) formatNode(node, 0, paint, out);
  return out;
}
