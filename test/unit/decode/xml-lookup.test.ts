// attrOf skips toLowerCase() where it cannot change the answer; it must answer exactly like
// the plain definition (first attribute whose lower-cased name equals the lower-cased name).
import { describe, expect, test } from 'vitest';
import { attrOf, textContent, type XmlNode } from '../../../src/domain/body/xml.js';

const reference = (node: XmlNode, name: string): string | undefined =>
  node.attrs.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

const NAMES = ['id', 'ID', 'Id', 'iD', 'İd', 'i\u0307d', '\u212Aey', 'key', 'KEY', 'k', 'x:y', 'X:Y', '', 'ß', 'SS', 'ss', 'name', 'Name', 'value'];

describe('attrOf', () => {
  test('agrees with the plain definition for every pair of tricky names', () => {
    for (const a of NAMES) {
      for (const b of NAMES) {
        const node: XmlNode = { name: 'E', attrs: [[a, '1'], [b, '2'], ['value', '3']], children: [] };
        for (const q of NAMES) expect(attrOf(node, q), `${a},${b} ? ${q}`).toBe(reference(node, q));
      }
    }
  });

  test('the first match in document order wins', () => {
    const node: XmlNode = { name: 'E', attrs: [['ID', 'upper'], ['id', 'lower']], children: [] };
    expect(attrOf(node, 'id')).toBe('upper');
  });
});

describe('textContent', () => {
  test('text and CDATA directly inside, in order; nothing else', () => {
    const node: XmlNode = {
      name: 'E', attrs: [], children: [
        { name: '#text', attrs: [], children: [], text: 'a' },
        { name: 'X', attrs: [], children: [{ name: '#text', attrs: [], children: [], text: 'no' }] },
        { name: '#cdata', attrs: [], children: [], text: 'b' },
        { name: '#comment', attrs: [], children: [], text: 'no' },
        { name: '#text', attrs: [], children: [] },
      ],
    };
    expect(textContent(node)).toBe('ab');
  });
});
