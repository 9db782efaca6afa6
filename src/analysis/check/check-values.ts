// Values of a level-1 report against their simple types (MS-CER2 §2.2.1.2, docs/protocol.md §3.2, §7):
// reporttype 0-4, eventtime a FILETIME that is not 0, not before 2006 and not more than a day
// after `now` (shown decoded), PARAMETER ids 0-9, unique, at most 10; filetype 1-5; string
// lengths; os in dotted form; lcid a known locale. Quirks real clients produce are not
// findings: 8 os fields against the schema's broken 7-group pattern, LCIDs of 5 digits.
import { attrOf, isElement, rootElement, upperName, type XmlNode } from '../../domain/body/xml.js';
import { decodeLcid, filetimeDigits, filetimeMs } from '../../domain/report/fields.js';
import { finding, type Finding } from './rules.js';
import { MAX_LENGTHS_OF } from './schema.js';
import { quote } from './check-structure.js';

export const DAY_MS = 86_400_000;
/** CER2 clients are Windows Vista and later (MS-CER2 §6); Vista shipped in 2006/2007. */
export const EARLIEST_EVENT_MS = Date.UTC(2006, 0, 1);

/** The known children of the root by upper-case name (first occurrence). */
export function childrenByName(nodes: XmlNode[]): Map<string, XmlNode> {
  const map = new Map<string, XmlNode>();
  const root = rootElement(nodes);
  if (!root) return map;
  for (const child of root.children) {
    if (!isElement(child)) continue;
    const upper = upperName(child.name);
    if (!map.has(upper)) map.set(upper, child);
  }
  return map;
}

export function elementsNamed(node: XmlNode | undefined, upper: string): XmlNode[] {
  const out: XmlNode[] = [];
  if (!node) return out;
  for (const c of node.children) if (isElement(c) && upperName(c.name) === upper) out.push(c);
  return out;
}

function checkEventTime(raw: string, now: number, out: Finding[]): void {
  if (raw.trim() === '') return; // attribute-empty already says so
  const digits = filetimeDigits(raw);
  if (digits === undefined) {
    out.push(finding('eventtime-not-number', `eventtime ${quote(raw)} is not an unsigned 64-bit number`, 'send the event time as a Windows FILETIME: decimal 100-ns ticks since 1601-01-01 UTC'));
    return;
  }
  if (digits === '0') {
    out.push(finding('eventtime-zero', 'eventtime is 0 (1601-01-01T00:00:00Z)', 'fill in the FILETIME of the event (GetSystemTimeAsFileTime)'));
    return;
  }
  const ms = filetimeMs(digits);
  const iso = (): string => new Date(ms).toISOString();
  if (ms < EARLIEST_EVENT_MS) {
    // A Unix time in seconds or ms read as FILETIME lands in 1601: say so.
    const unixHint = digits.length <= 14 ? ' — it looks like Unix time, not a FILETIME' : '';
    out.push(finding('eventtime-too-old', `eventtime ${raw.trim()} is ${iso()}, before 2006${unixHint}`, 'send 100-ns ticks since 1601-01-01 UTC (Unix ms × 10000 + 116444736000000000)'));
  } else if (ms > now + DAY_MS) {
    out.push(finding('eventtime-future', `eventtime ${raw.trim()} is ${iso()}, more than a day after ${new Date(now).toISOString()}`, 'check the client clock and that the value is 100-ns ticks since 1601, not a larger unit'));
  }
}

function checkParameters(signature: XmlNode | undefined, out: Finding[]): void {
  const params = elementsNamed(signature, 'PARAMETER');
  const seen = new Set<string>();
  for (const p of params) {
    const id = attrOf(p, 'id');
    if (id === undefined || id.trim() === '') continue; // attribute-missing / -empty
    if (!/^[0-9]$/.test(id)) {
      out.push(finding('parameter-id', `PARAMETER id ${quote(id)} is not a single digit 0-9`, 'number the parameters 0 to 9 (P1 is id 0)'));
    } else if (seen.has(id)) {
      out.push(finding('parameter-duplicate', `PARAMETER id ${id} appears more than once`, 'give each PARAMETER its own id 0-9: the id says which signature field (P1…P10) a value is'));
    }
    seen.add(id);
  }
  if (params.length > 10) {
    out.push(finding('parameter-count', `${params.length} PARAMETER elements, the schema allows at most 10`, 'keep 10 PARAMETERs (ids 0-9) and move the rest to SECONDARYPARAMETER'));
  }
}

function checkFiles(files: XmlNode | undefined, out: Finding[]): void {
  for (const f of elementsNamed(files, 'FILE')) {
    const type = attrOf(f, 'filetype');
    if (type === undefined || type.trim() === '') continue;
    if (!/^[1-5]$/.test(type)) {
      out.push(finding('filetype-range', `FILE ${quote(attrOf(f, 'filename') ?? '')} has filetype ${quote(type)}, outside 1-5`, 'use 1 Microdump, 2 Minidump, 3 Heapdump, 4 UserDocument or 5 Other'));
    }
  }
}

function checkLengths(byName: Map<string, XmlNode>, out: Finding[]): void {
  for (const [name, node] of byName) lengthsOf(name, node, out);
  const files = byName.get('FILES');
  if (files) for (const f of elementsNamed(files, 'FILE')) lengthsOf('FILE', f, out);
}

function lengthsOf(name: string, node: XmlNode, out: Finding[]): void {
  const limits = MAX_LENGTHS_OF.get(name);
  if (!limits) return;
  for (const [attr, value] of node.attrs) {
    const limit = limits.get(lowerName(attr));
    // UTF-16 length first: it is never less than the number of characters
    if (limit && value.length > limit.max && [...value].length > limit.max) {
      out.push(finding('string-too-long', `${name} ${attr} is ${[...value].length} characters, its type ${limit.type} allows ${limit.max}`, `shorten ${attr} to ${limit.max} characters`));
    }
  }
}

/** `name.toLowerCase()`, without a copy when it is lower-case ASCII already. */
function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return name.toLowerCase();
  }
  return name;
}

function checkMachine(machine: XmlNode | undefined, out: Finding[]): void {
  if (!machine) return;
  const os = attrOf(machine, 'os');
  if (os !== undefined && os.trim() !== '') {
    const trimmed = os.trim();
    const fields = /^\d{1,10}(\.\d{1,10})+$/.test(trimmed) ? dotCount(trimmed) + 1 : 0;
    if (!fields) {
      out.push(finding('os-format', `os ${quote(os)} is not dotted decimal numbers`, 'send major.minor.build.platform.spMajor.spMinor.suiteMask.product, e.g. 10.0.19045.2.0.0.256.48'));
    } else if (fields !== 8) {
      out.push(finding('os-fields', `os ${quote(os)} has ${fields} fields; Windows sends 8 (e.g. 6.1.7601.2.1.0.256.1)`, 'send all 8 fields so the server can tell build, service pack, suite and product apart'));
    }
  }
  const lcid = attrOf(machine, 'lcid');
  if (lcid !== undefined && lcid.trim() !== '') {
    const decoded = /^\s*\d+\s*$/.test(lcid) && Number(lcid) > 0 ? decodeLcid(lcid) : undefined;
    if (!decoded) {
      out.push(finding('lcid-format', `lcid ${quote(lcid)} is not a positive decimal number`, 'send the UI language as a decimal LCID, e.g. 1033 for en-US'));
    } else if (!decoded.tag && !decoded.special) {
      out.push(finding('lcid-unknown', `lcid ${lcid.trim()} (${decoded.hex}) is not a locale wer-sniff knows`, 'check it against [MS-LCID]; 1033 = en-US'));
    }
  }
}

function dotCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) n++;
  return n;
}

/** Findings about attribute values. `now` (ms since 1970) anchors the future-time rule.
 * `byName`: childrenByName(nodes), when the caller has it already. */
export function checkValues(nodes: XmlNode[], now: number, byName = childrenByName(nodes)): Finding[] {
  const out: Finding[] = [];
  checkMachine(byName.get('MACHINEINFO'), out);
  const event = byName.get('EVENTINFO');
  const reportType = event ? attrOf(event, 'reporttype') : undefined;
  if (reportType !== undefined && reportType.trim() !== '' && !/^[0-4]$/.test(reportType)) {
    out.push(finding('reporttype-range', `reporttype ${quote(reportType)} is outside 0-4`, 'use 0 non-critical, 1 critical, 2 application crash, 3 application hang or 4 kernel'));
  }
  const time = event ? attrOf(event, 'eventtime') : undefined;
  if (time !== undefined) checkEventTime(time, now, out);
  checkParameters(byName.get('SIGNATURE'), out);
  checkFiles(byName.get('FILES'), out);
  checkLengths(byName, out);
  return out;
}
