import { describe, expect, test } from 'vitest';
import { attrOf, decodeXmlEntities, parseXml, rootElement, textContent, XmlParseError } from '../../../src/domain/body/xml.js';

describe('parseXml', () => {
  test('ordered tree with attributes in document order', () => {
    const nodes = parseXml('<?xml version="1.0" encoding="UTF-16"?><R b="2" a="1"><x/>t<y k="v">in</y></R>');
    expect(nodes[0]).toEqual({ name: '?xml', attrs: [['version', '1.0'], ['encoding', 'UTF-16']], children: [] });
    const root = rootElement(nodes)!;
    expect(root.name).toBe('R');
    expect(root.attrs).toEqual([['b', '2'], ['a', '1']]);
    expect(root.children.map((c) => c.name)).toEqual(['x', '#text', 'y']);
    expect(root.children[1]!.text).toBe('t');
    expect(textContent(root.children[2]!)).toBe('in');
    expect(attrOf(root.children[2]!, 'K')).toBe('v');
  });

  test('decodes only predefined entities and numeric references', () => {
    const root = rootElement(parseXml('<a v="x&amp;y &lt;&#65;&#x42;&quot;&apos;&gt;">&lt;t&gt; &amp;amp; &#x1b;[31m</a>'))!;
    expect(attrOf(root, 'v')).toBe(`x&y <AB"'>`);
    expect(textContent(root)).toBe('<t> &amp; \x1b[31m');
    expect(decodeXmlEntities('&nbsp; &#0; &#xD800; &#x110000;')).toBe('&nbsp; &#0; &#xD800; &#x110000;');
  });

  test('DOCTYPE entities are not expanded (no billion laughs)', () => {
    const xml = '<!DOCTYPE r [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;">]><r v="&b;">&b;</r>';
    const root = rootElement(parseXml(xml))!;
    expect(attrOf(root, 'v')).toBe('&b;');
    expect(textContent(root)).toBe('&b;');
  });

  test('names that are JavaScript object keys survive', () => {
    const root = rootElement(parseXml('<constructor __proto__="1" toString="2"><prototype/></constructor>'))!;
    expect(root.name).toBe('constructor');
    expect(root.attrs).toEqual([['__proto__', '1'], ['toString', '2']]);
    expect(root.children[0]!.name).toBe('prototype');
  });

  test('keeps comments, CDATA and whitespace text', () => {
    const root = rootElement(parseXml('<a>\n  <!-- c --><![CDATA[<raw>]]></a>'))!;
    expect(root.children.map((c) => [c.name, c.text])).toEqual([['#text', '\n  '], ['#comment', ' c '], ['#cdata', '<raw>']]);
  });

  test('malformed XML throws XmlParseError with line and column', () => {
    let err: unknown;
    try {
      parseXml('<a>\n<b>\n</a>');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlParseError);
    expect((err as XmlParseError).code).toBe('xml-parse');
    expect((err as XmlParseError).line).toBe(3);
    expect((err as XmlParseError).message).toMatch(/^line 3, column \d+: /);
  });

  test('not XML at all / no root element', () => {
    expect(() => parseXml('{"a":1}')).toThrow(XmlParseError);
    expect(() => parseXml('<?xml version="1.0"?>')).toThrow(XmlParseError);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/repeated/);
  });
});
