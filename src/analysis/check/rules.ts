// The rules a level-1 report and its conversation are checked against, and the Finding they
// produce. One table is the source of truth for every rule's id, severity and section: the
// checks, the findings table in docs/check.md and the tests all read it. Sections are MS-CER2
// sections as docs/protocol.md cites them (`ref` names the docs/protocol.md part).
// Deliberately no rule for what docs/protocol.md calls real-Windows quirks (element order, `Key = value`
// blanks, the osstring pattern defect, 5-digit LCIDs), and what docs/protocol.md lists as UNKNOWN is at
// most a note.

import type { Finding as AnyFinding, Severity } from '../../model.js';

export type { Severity } from '../../model.js';

/** A finding of one of this table's rules (model.ts `Finding`, as events carry it). */
export interface Finding extends AnyFinding {
  rule: RuleId;
}

export interface RuleInfo {
  severity: Severity;
  section: string;
  ref: string;
  /** What the rule is about, for the docs/check.md table and `--help`. */
  title: string;
}

export const RULES = {
  // structure (§2.2.1)
  'not-a-report': { severity: 'error', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'level-1 body is empty or not a <WERREPORT> document' },
  'xml-malformed': { severity: 'error', section: '§2.2.1', ref: 'docs/protocol.md §3.2', title: 'the report is not well-formed XML' },
  'root-not-werreport': { severity: 'error', section: '§2.2.1.3.1', ref: 'docs/protocol.md §3.2', title: 'root element is not WERREPORT' },
  'element-missing': { severity: 'error', section: '§2.2.1.3.1', ref: 'docs/protocol.md §3.2', title: 'MACHINEINFO, USERINFO or EVENTINFO missing' },
  'element-duplicate': { severity: 'warning', section: '§2.2.1.3.1', ref: 'docs/protocol.md §3.2', title: 'an element that may appear once appears again' },
  'attribute-missing': { severity: 'error', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'a required attribute is missing' },
  'attribute-empty': { severity: 'error', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'a required typed attribute (reporttype, eventtype, eventtime, os, lcid, id, filetype) is empty' },
  'string-empty': { severity: 'warning', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'a required string attribute is empty' },
  'name-case': { severity: 'warning', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'element or attribute name spelled in another case than the schema (XML names are case-sensitive)' },
  'unknown-element': { severity: 'note', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'element not in the schema (kept and shown)' },
  'unknown-attribute': { severity: 'note', section: '§2.2.1.3', ref: 'docs/protocol.md §3.2', title: 'attribute not in the schema (kept and shown)' },
  // values (§2.2.1.2, §2.2.1.3)
  'reporttype-range': { severity: 'error', section: '§2.2.1.2.4', ref: 'docs/protocol.md §7.3', title: 'reporttype not 0-4' },
  'eventtime-not-number': { severity: 'error', section: '§2.2.1.3.5', ref: 'docs/protocol.md §7.1', title: 'eventtime not an unsignedLong FILETIME' },
  'eventtime-zero': { severity: 'error', section: '§2.2.1.3.5', ref: 'docs/protocol.md §7.1', title: 'eventtime is 0' },
  'eventtime-too-old': { severity: 'warning', section: '§2.2.1.3.5', ref: 'docs/protocol.md §7.1', title: 'eventtime before 2006 (CER2 clients are Vista and later)' },
  'eventtime-future': { severity: 'warning', section: '§2.2.1.3.5', ref: 'docs/protocol.md §7.1', title: 'eventtime more than a day after the capture' },
  'parameter-id': { severity: 'error', section: '§2.2.1.3.6.1', ref: 'docs/protocol.md §3.2', title: 'PARAMETER id not a digit 0-9' },
  'parameter-duplicate': { severity: 'error', section: '§2.2.1.3.6.1', ref: 'docs/protocol.md §3.2', title: 'two PARAMETERs with the same id' },
  'parameter-count': { severity: 'error', section: '§2.2.1.3.6', ref: 'docs/protocol.md §3.2', title: 'more than 10 PARAMETERs' },
  'filetype-range': { severity: 'error', section: '§2.2.1.2.5', ref: 'docs/protocol.md §7.4', title: 'FILE filetype not 1-5' },
  'string-too-long': { severity: 'error', section: '§2.2.1.2', ref: 'docs/protocol.md §3.2', title: 'maxpathstring over 256 or string32 over 32 characters' },
  'os-format': { severity: 'warning', section: '§2.2.1.3.3', ref: 'docs/protocol.md §7.2', title: 'os not dotted decimal numbers' },
  'os-fields': { severity: 'note', section: '§2.2.1.3.3', ref: 'docs/protocol.md §7.2', title: 'os has not the 8 fields real clients send' },
  'lcid-format': { severity: 'error', section: '§2.2.1.3.3', ref: 'docs/protocol.md §7.6', title: 'lcid not a positive integer' },
  'lcid-unknown': { severity: 'note', section: '§2.2.1.3.3', ref: 'docs/protocol.md §7.6', title: 'lcid not in the locale table' },
  // bucketing (§2.2.1.3.6, §2.2.2)
  'signature-empty': { severity: 'error', section: '§2.2.1.3.6', ref: 'docs/protocol.md §3.2, §4', title: 'no SIGNATURE or an empty one: the report cannot be bucketed' },
  'no-parameters': { severity: 'warning', section: '§2.2.1.3.6', ref: 'docs/protocol.md §3.3', title: 'an event type other than BlueScreen with no PARAMETER' },
  'parameter-no-value': { severity: 'warning', section: '§2.2.1.3.6.1', ref: 'docs/protocol.md §3.2', title: 'PARAMETER with an empty value' },
  // encoding and framing (§2.1, §2.2.1, §4)
  'encoding-mismatch': { severity: 'error', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'XML declaration and body encoding disagree' },
  'bom-mismatch': { severity: 'error', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'byte-order mark contradicts the XML declaration' },
  'not-utf16': { severity: 'warning', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'body is not UTF-16 ("Unicode")' },
  'utf16-big-endian': { severity: 'note', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'body is UTF-16BE (Windows sends UTF-16LE)' },
  'utf16-odd-length': { severity: 'error', section: '§2.2.1', ref: 'docs/protocol.md §3.1', title: 'odd number of bytes in a UTF-16 body' },
  'content-length-mismatch': { severity: 'error', section: '§2.1', ref: 'docs/protocol.md §3.1', title: 'Content-Length does not match the body' },
  'wrong-path': { severity: 'error', section: '§4.1', ref: 'docs/protocol.md §3.1', title: 'level-1 report not sent to /stage2.htm' },
  'wrong-method': { severity: 'error', section: '§1.3', ref: 'docs/protocol.md §3.1', title: 'level-1 report not sent with POST' },
  // conversation (§2.2.2, §2.2.3, §3.1.5, §3.2.5)
  'answer-not-200': { severity: 'error', section: '§3.2.5', ref: 'docs/protocol.md §4, §6', title: 'the server answered the report with a status other than 200' },
  'no-answer': { severity: 'error', section: '§3.2.5', ref: 'docs/protocol.md §4', title: 'the connection ended without an answer to the report' },
  'answer-not-captured': { severity: 'note', section: '§3.2.5', ref: 'docs/protocol.md §4', title: 'the capture holds no server bytes, so the answer cannot be checked' },
  'answer-not-level1': { severity: 'warning', section: '§2.2.2', ref: 'docs/protocol.md §4', title: '200 answer whose body is not Key=value lines' },
  'idata-without-dumpfile': { severity: 'note', section: '§2.2.2', ref: 'docs/protocol.md §11.6', title: 'iData=1 without DumpFile (client behaviour unknown)' },
  'dumpfile-without-idata': { severity: 'note', section: '§2.2.2', ref: 'docs/protocol.md §11.6', title: 'DumpFile without iData=1 (client behaviour unknown)' },
  'cab-not-uploaded': { severity: 'warning', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'the server asked for the CAB (iData=1, DumpFile) and no PUT came' },
  'put-path-not-issued': { severity: 'error', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'the CAB was PUT to a path the server did not issue as DumpFile' },
  'put-unpaired': { severity: 'note', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'a PUT whose level-1 answer is not in this capture' },
  'duplicate-upload': { severity: 'warning', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'the CAB was PUT to the same DumpFile more than once' },
  'put-incomplete': { severity: 'error', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'the CAB upload ended early' },
  'put-not-accepted': { severity: 'error', section: '§2.2.3', ref: 'docs/protocol.md §5', title: 'the server answered the CAB upload with a status other than 200' },
  'put-not-cab': { severity: 'warning', section: '§3.1.5', ref: 'docs/protocol.md §5, §8', title: 'the level-2 upload is not a CAB' },
  'files-not-in-cab': { severity: 'warning', section: '§2.2.1.3.7', ref: 'docs/protocol.md §8.1', title: 'FILES lists a file the CAB does not contain' },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

/** A finding of `rule` with the rule's severity and section: a finding cites exactly its rule's
 * row of the table (what the README lists, what --json consumers group by), never a section of
 * its own; a more precise section goes in the message or the fix. */
export function finding(rule: RuleId, message: string, fix: string): Finding {
  const info: RuleInfo = RULES[rule];
  return { severity: info.severity, rule, section: info.section, ref: info.ref, message, fix };
}

export function countBySeverity(findings: readonly AnyFinding[]): Record<Severity, number> {
  const n = { error: 0, warning: 0, note: 0 };
  for (const f of findings) n[f.severity]++;
  return n;
}

/** Findings of one rule listed per report; the rest are counted in one more finding. A hostile
 * report (130,000 unknown attributes or PARAMETERs) would otherwise make as many findings,
 * and as many lines in every output. */
export const MAX_FINDINGS_PER_RULE = 20;

/** At most `max` findings of each rule, in their order, then one finding per rule that had
 * more saying how many were left out. Linear; `findings` is not changed. */
export function capFindings(findings: readonly Finding[], max = MAX_FINDINGS_PER_RULE): Finding[] {
  const seen = new Map<RuleId, number>();
  const out: Finding[] = [];
  for (const f of findings) {
    const n = (seen.get(f.rule) ?? 0) + 1;
    seen.set(f.rule, n);
    if (n <= max) out.push(f);
  }
  for (const [rule, n] of seen) {
    if (n <= max) continue;
    const more = n - max;
    out.push(finding(rule, `… and ${more} more ${rule} finding${more === 1 ? '' : 's'} like the above (only the first ${max} of each rule are listed)`, 'fix the ones listed and check again'));
  }
  return out;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** Errors first, then warnings, then notes; stable within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
