// parseFlatXml must agree with parseXml (fast-xml-parser) wherever it answers: same tree for
// every vector, sample and simulated report, and for seeded mutations of them; undefined
// (left to parseXml) whenever parseXml rejects the input or the shape is not the simple one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { parseXml, type XmlNode } from '../../../src/domain/body/xml.js';
import { FLAT_XML_MAX_DEPTH, parseFlatXml } from '../../../src/domain/report/flat-xml.js';
import { KINDS } from '../../../src/tools/sim/kind-names.js';
import { makeReport } from '../../../src/tools/sim/kinds.js';
import { writeMetadataXml, writeReportXml } from '../../../src/domain/report/report-writer.js';
import { SAMPLES, VECTORS } from '../../helpers/paths.js';

/** Body text of every vector and sample that looks like XML. */
function corpus(): [name: string, text: string][] {
  const out: [string, string][] = [];
  for (const [dir, file] of [
    ...readdirSync(VECTORS).map((f) => [VECTORS, f]),
    ...readdirSync(SAMPLES).map((f) => [SAMPLES, f]),
  ] as [string, string][]) {
    if (!/\.(http|xml)$/.test(file)) continue;
    const raw = readFileSync(path.join(dir, file));
    let body = raw;
    if (file.endsWith('.http')) {
      const m = /\r?\n\r?\n/.exec(raw.toString('latin1'));
      body = m ? raw.subarray(m.index + m[0].length) : Buffer.alloc(0);
    }
    const text = decodeText(body).text;
    if (text.trimStart().startsWith('<')) out.push([file, text]);
  }
  for (const kind of KINDS) {
    const report = makeReport(kind, Date.UTC(2024, 4, 14, 9, 26, 54));
    out.push([`sim ${kind}`, writeReportXml(report)], [`sim ${kind} metadata`, writeMetadataXml(report)]);
  }
  return out;
}

/** The same document pretty-printed: whitespace text between elements, CRLF, tabs. */
function indented(text: string, eol: string): string {
  return text.replace(/></g, `>${eol}\t<`).replace(/ (\w+=")/g, `${eol}  $1`) + eol;
}

function reference(text: string): XmlNode[] | undefined {
  try {
    return parseXml(text);
  } catch {
    return undefined;
  }
}

/** Agreement: an answer from the fast path equals fast-xml-parser's; never one it rejects. */
function expectAgreement(text: string): 'fast' | 'fallback' | 'rejected' {
  const ref = reference(text);
  const fast = parseFlatXml(text);
  if (fast !== undefined) {
    expect(ref, JSON.stringify(text)).toBeDefined();
    expect(fast, JSON.stringify(text)).toStrictEqual(ref);
    return 'fast';
  }
  return ref === undefined ? 'rejected' : 'fallback';
}

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
  };
}

const INSERTS = [
  '<', '>', '&', '"', "'", ' ', '\t', '\r', '\n', '\r\n', '/', '=', '?', '!', ':', '-', '.', '0', 'x', 'é', '\u00a0',
  '\ufeff', '&amp;', '&#65;', '&bogus;', '<!-- c -->', '<![CDATA[x]]>', '<?pi x?>', '</A>', '<A/>', '<A>', 'text',
  ' a="1"', ' a=1', '<!DOCTYPE x>',
];

function mutate(text: string, rnd: (n: number) => number): string {
  const at = rnd(text.length + 1);
  switch (rnd(6)) {
    case 0: return text.slice(0, at) + text.slice(at + 1 + rnd(4)); // delete 1-4 characters
    case 1:
    case 2: return text.slice(0, at) + INSERTS[rnd(INSERTS.length)] + text.slice(at);
    case 3: return text.slice(0, at); // truncate
    case 4: return text.slice(0, at) + text[rnd(text.length)] + text.slice(at + 1); // replace one
    default: {
      // repeat an attribute (a well-formedness error) or a whole element (still fine)
      const all = [...text.matchAll(rnd(2) ? / [A-Za-z:]+="[^"]*"/g : /<[A-Z]+ [^>]*\/>/g)];
      const m = all[rnd(all.length)];
      return m ? text.slice(0, m.index) + m[0] + text.slice(m.index) : text;
    }
  }
}

describe('parseFlatXml', () => {
  const docs = corpus();

  test('answers for every WER report and sample, with exactly the fast-xml-parser tree', () => {
    expect(docs.length).toBeGreaterThanOrEqual(12);
    for (const [name, text] of docs) {
      const verdict = expectAgreement(text);
      if (/WERREPORT/.test(text)) expect(verdict, name).toBe('fast');
    }
  });

  test('pretty-printed documents (whitespace text nodes, CRLF, tabs) agree too', () => {
    for (const [name, text] of docs) {
      for (const eol of ['\n', '\r\n', '\r']) {
        const verdict = expectAgreement(indented(text, eol));
        if (/WERREPORT/.test(text)) expect(verdict, `${name} ${JSON.stringify(eol)}`).toBe('fast');
      }
    }
  });

  test('seeded mutations: agreement, or left to fast-xml-parser', () => {
    const rnd = prng(0x5eed);
    const seen = { fast: 0, fallback: 0, rejected: 0 };
    for (let i = 0; i < 600; i++) {
      const [, base] = docs[rnd(docs.length)]!;
      let text = base;
      for (let k = 1 + rnd(3); k > 0; k--) text = mutate(text, rnd);
      seen[expectAgreement(text)]++;
    }
    // the mix exercises all three outcomes
    expect(seen.fast).toBeGreaterThan(50);
    expect(seen.fallback).toBeGreaterThan(10);
    expect(seen.rejected).toBeGreaterThan(100);
  });

  test.each([
    ['<A/>'], ['<A />'], ['<A></A>'], ['<A ></A >'], ['<A\tx="1"\t/>'], ['<A x = "1" y=\'2\'/>'],
    ['<A x="a\r\nb\rc"/>'], ['<A>\r\n <B/>\r\n</A>\r\n'], ['<?xml version="1.0" ?><A/>'], ['<?xml version="1.0"?>\n<A/>\n'],
    ['<A x="&amp;&lt;&#65;&bogus;&"/>'], ['<A x="a>b"/>'], ['<A x="it\'s"/>'], ['<a:b xmlns:a="u"><a:c/></a:b>'],
    ['<A x="1" X="2"/>'], ['<A><B></B><C x="1"></C></A>'], ['<A>\t</A>'], ['<A/> '], ['<A x=""/>'], ['<_a.b-c/>'],
    ['<A x="\u0000\u001b"/>'], ['<constructor __proto__="1" toString="2"><prototype/></constructor>'], ['<hasOwnProperty/>'],
    ['<A  x="1"  />'], ['<xml/>'], ['<A\r\nx="1"\r\n/>'], ['<:a/>'], ['<a :b="1" c:="2" d.e-f="3"/>'], ['<a\n></a\n>'],
    ['<a b="\t" c="\n"/>'], ['<?xml\tversion="1"?><a/>'], ['<?xml version="1"\n?><a/>'], ['<a><b/>\t<c/></a>'], ['<a b="&#x3C;"/>'],
  ])('same tree as fast-xml-parser: %j', (text) => {
    expect(expectAgreement(text)).toBe('fast');
  });

  test.each([
    ['<A x="1" x="2"/>'], ['<A> </B>'], ['<A><B></A></B>'], ['<?xml version="?>"?><A/>'], ['<A x="1"/ >'], ['<A x="1"y="2"/>'],
    ['<?xml version="1.0"?><?xml version="1.0"?><A/>'], ['<A>'], ['</A>'], ['<A x=1/>'], ['<A x/>'], ['<A/><A>'],
    ['<A></AB>'], ['<1/>'], ['<A x="1>'],
  ])('malformed, rejected by both: %j', (text) => {
    expect(expectAgreement(text)).toBe('rejected');
  });

  test.each([
    ['<A/><B/>'], [' <A/>'], ['<A>text</A>'], ['<A><!-- c --></A>'], ['<A><![CDATA[x]]></A>'], ['<A><?pi x?></A>'],
    ['\ufeff<A/>'], ['<A x="<"/>'], ['<Ä/>'], ['<A ä="1"/>'], ['<?xml?><A/>'], ['<!DOCTYPE A><A/>'], ['<A/>x'],
  ])('not the simple shape, left to fast-xml-parser: %j', (text) => {
    expect(parseFlatXml(text)).toBeUndefined();
  });

  test('nesting deeper than FLAT_XML_MAX_DEPTH is left to fast-xml-parser', () => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(expectAgreement(deep(FLAT_XML_MAX_DEPTH))).toBe('fast');
    expect(expectAgreement(deep(FLAT_XML_MAX_DEPTH + 1))).toBe('fallback');
  });
});
