// Checks one level-1 request on its own: framing and encoding, then the XML's structure,
// values and bucketing (check-*.ts). Pure: the request and its decoding in, findings out;
// `now` comes in as an argument. Conversation rules (answers, uploads) are in conversation.ts.
import type { Body, Problem, RequestHead } from '../../model.js';
import type { BodyDecoding } from '../../domain/body/views.js';
import { parseXml, XmlParseError, type XmlNode } from '../../domain/body/xml.js';
import { capFindings, finding, sortFindings, type Finding } from './rules.js';
import { append } from '../../util/append.js';
import { checkStructure } from './check-structure.js';
import { checkValues, childrenByName } from './check-values.js';
import { checkBucketing } from './check-bucket.js';
import { checkEncoding, checkFraming, checkTarget } from './check-encoding.js';

export interface Level1Input {
  head: RequestHead;
  body: Body;
  decoding: BodyDecoding;
  /** Problems of the exchange (framing). */
  problems: readonly Problem[];
  /** ms since 1970: when the report was seen (eventtime must not be more than a day later). */
  now: number;
}

function parsed(dec: BodyDecoding): { xml?: XmlNode[]; error?: string } {
  if (dec.xml) return { xml: dec.xml };
  if (dec.text === undefined || !/^\uFEFF?\s*</.test(dec.text)) return {};
  try {
    return { xml: parseXml(dec.text) };
  } catch (e) {
    return { error: e instanceof XmlParseError ? e.message : String(e) };
  }
}

/** The findings of one level-1 request, at most MAX_FINDINGS_PER_RULE per rule (then a
 * count). Lists are joined with append(), never spread into push(): a rule can fire once per
 * attribute or PARAMETER of the report, i.e. 100,000 times. */
export function checkLevel1(input: Level1Input): Finding[] {
  return sortFindings(capFindings(allFindings(input)));
}

function allFindings(input: Level1Input): Finding[] {
  const { head, body, decoding: dec } = input;
  const out: Finding[] = [...checkTarget(head)];
  if (body.data === undefined && body.length > 0) {
    out.push(finding('not-a-report', `the body (${body.length} bytes) is larger than --max-body-bytes and was not decoded`, 'raise --max-body-bytes to check it; a level-1 report is a few KiB'));
    return out;
  }
  const framing = checkFraming(head, body, dec, input.problems);
  append(out, framing);
  append(out, checkEncoding(body, dec));
  if (body.length === 0) {
    out.push(finding('not-a-report', 'the level-1 request has an empty body', 'send the <WERREPORT> XML as the request body'));
    return out;
  }
  const { xml, error } = parsed(dec);
  if (!xml) {
    // A body cut by Content-Length fails to parse for that reason: say it once.
    if (framing.length === 0) {
      out.push(error
        ? finding('xml-malformed', `the report is not well-formed XML: ${error}`, 'send well-formed XML (check escaping of & < " in values, and the encoding)')
        : finding('not-a-report', `the body is ${dec.kind}, not a <WERREPORT> document`, 'send the level-1 report XML (<WERREPORT>…) as the body'));
    }
    return out;
  }
  const structure = checkStructure(xml);
  append(out, structure);
  if (!structure.some((f) => f.rule === 'root-not-werreport')) {
    const byName = childrenByName(xml);
    append(out, checkValues(xml, input.now, byName));
    append(out, checkBucketing(xml, byName));
  }
  return out;
}
