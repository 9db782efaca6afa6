// Fuzz target: the XML view (src/domain/body/xml.ts, domain/report/flat-xml.ts) and the body views
// (src/domain/body/views.ts) with their formatters. Invariants: parseXml throws only XmlParseError;
// the flat fast path, when it answers, equals fast-xml-parser; decodeBody never throws; the
// formatted XML and body are terminal-safe with colour on and off.
import { parseXml, XmlParseError } from '../../../domain/body/xml.js';
import { parseFlatXml } from '../../../domain/report/flat-xml.js';
import { decodeText } from '../../../domain/body/charset.js';
import { decodeBody, type BodyContext } from '../../../domain/body/views.js';
import { formatXml } from '../../../render/format-xml.js';
import { formatBody } from '../../../render/format-body.js';
import { createPaint } from '../../../render/paint.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateUtf16 } from '../mutate-formats.js';
import { checkLines, fail } from '../check.js';
import type { FuzzTarget } from '../target.js';
import { createHash } from 'node:crypto';
import type { Body } from '../../../model.js';

const paints = [createPaint(false), createPaint(true)] as const;
const CONTEXTS: BodyContext[] = [
  { headers: [['Content-Type', 'text/xml']], isResponse: false, requestMethod: 'POST', requestTarget: '/stage2.htm' },
  { headers: [], isResponse: true, requestMethod: 'POST', requestTarget: '/stage2.htm' },
  { headers: [['Content-Encoding', 'gzip']], isResponse: false, requestMethod: 'PUT', requestTarget: '/x.cab' },
];

function body(data: Buffer): Body {
  return { length: data.length, data, head: data.subarray(0, 4096), sha256: createHash('sha256').update(data).digest('hex'), framing: 'content-length', trailers: [], complete: true };
}

export const xmlTarget: FuzzTarget = {
  name: 'xml',
  about: 'XML parser, flat fast path, body views and their formatters: only XmlParseError, fast path = parser, safe output',
  seeds: (files) => files.map((f) => {
    const i = f.bytes.indexOf('\r\n\r\n');
    return i >= 0 ? f.bytes.subarray(i + 4) : f.bytes;
  }).filter((b) => decodeText(b).text.includes('<')),
  mutators: [...BYTE_MUTATORS, mutateUtf16, mutateUtf16, mutateUtf16],
  run(input) {
    const text = decodeText(input).text;
    let tree;
    try {
      tree = parseXml(text);
    } catch (e) {
      if (!(e instanceof XmlParseError)) throw e;
    }
    const flat = parseFlatXml(text);
    if (flat && JSON.stringify(flat) !== JSON.stringify(tree)) fail('the flat XML fast path and fast-xml-parser disagree');
    for (const paint of paints) if (tree) checkLines(formatXml(tree, paint), paint.enabled, 'formatted XML');
    const ctx = CONTEXTS[input.length % CONTEXTS.length]!;
    const dec = decodeBody(input, ctx);
    for (const paint of paints) checkLines(formatBody(dec, body(input), paint, { hexDump: false }), paint.enabled, `formatted ${dec.kind} body`);
  },
};
