// `*.WERInternalMetadata.xml` from a level-2 CAB (docs/protocol.md §8.1): a <WERReportMetadata>
// document (UTF-16) with OSVersionInformation, ProblemSignatures (EventType, Parameter0..n),
// DynamicSignatures and SystemInformation. Summarised into the same vocabulary as the level-1
// report. Unknown sections are kept as name/value pairs, never dropped.
import { parseXml, rootElement, isElement, textContent, type XmlNode } from '../body/xml.js';
import { decodeLcid } from './fields.js';
import { parameterMeaning } from './report.js';

export interface WerMetadata {
  os: Record<string, string>;
  /** Decoded `LCID` of OSVersionInformation. */
  locale?: string;
  eventType?: string;
  parameters: { id: number; value: string; meaning?: string }[];
  dynamic: { name: string; value: string }[];
  /** Other sections (SystemInformation, ReportInformation, …): section → [name, value][]. */
  sections: Record<string, [string, string][]>;
}

const children = (n: XmlNode): XmlNode[] => n.children.filter(isElement);
const find = (n: XmlNode, name: string): XmlNode | undefined => children(n).find((c) => c.name.toLowerCase() === name.toLowerCase());

export function isWerMetadata(text: string): boolean {
  return /<WERReportMetadata[\s>]/i.test(text.slice(0, 512));
}

/** Throws XmlParseError on malformed XML; a well-formed but foreign document gives empty fields. */
export function parseWerMetadata(text: string): WerMetadata {
  const root = rootElement(parseXml(text));
  // Null-prototype maps: element names are untrusted (`__proto__` must be a plain key).
  const out: WerMetadata = { os: Object.create(null), parameters: [], dynamic: [], sections: Object.create(null) };
  const keep = (section: string, pair: [string, string]): void => {
    (out.sections[section] ??= []).push(pair);
  };
  if (!root) return out;
  for (const section of children(root)) {
    const pairs: [string, string][] = children(section).map((c) => [c.name, textContent(c).trim()]);
    switch (section.name.toLowerCase()) {
      case 'osversioninformation':
        for (const [k, v] of pairs) out.os[k] = v;
        break;
      case 'problemsignatures':
        for (const [k, v] of pairs) {
          const m = /^Parameter(\d+)$/i.exec(k);
          if (m) out.parameters.push({ id: Number(m[1]), value: v });
          else if (/^EventType$/i.test(k)) out.eventType = v;
          else keep(section.name, [k, v]);
        }
        break;
      case 'dynamicsignatures':
        for (const [name, value] of pairs) out.dynamic.push({ name, value });
        break;
      default: {
        // a repeated section adds to the first instead of replacing it (a loop, not a spread
        // into push: a section of 100,000 children would overflow the call stack)
        const list = (out.sections[section.name] ??= []);
        for (const pair of pairs) list.push(pair);
      }
    }
  }
  const lcid = find(root, 'OSVersionInformation') && out.os.LCID;
  if (lcid) {
    const l = decodeLcid(lcid);
    if (l) out.locale = `${l.lcid} ${l.hex}${l.tag ? ` ${l.tag}` : ''}`;
  }
  for (const p of out.parameters) {
    p.meaning = parameterMeaning(out.eventType ?? '', p.id, undefined, p.value);
  }
  return out;
}
