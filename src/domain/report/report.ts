// Turns a level 1 `<WERREPORT>` document (MS-CER2 §2.2.1, docs/protocol.md §3.2) into a WerReport:
// machine, user, application, event, signature parameters with a human `meaning` (§7.5),
// files, plus everything unknown (`extra`) and what looked wrong (`warnings`). Lenient on
// purpose: any child order, case-insensitive element/attribute names, missing pieces and
// unknown attributes are reported, never fatal. Only malformed XML throws (XmlParseError).
// It deliberately validates no more than the spec's own (defective) schema would.
import { attrOf, isElement, parseXml, rootElement, textContent, type XmlNode } from '../body/xml.js';
import {
  decodeFiletime, decodeFileType, decodeLcid, decodeOsString, decodeReportType, type LcidInfo, type OsInfo,
} from './fields.js';
import { parameterMeaning, secondaryMeaning } from './meaning.js';

export { parameterMeaning, secondaryMeaning };

export type WerOs = { raw: string } & Partial<OsInfo>;
export type WerLcid = { raw: string } & Partial<LcidInfo & { special: string }>;

export interface WerParameter {
  id: number | string;
  /** The `name` attribute as sent (may be localized). */
  name?: string;
  value: string;
  meaning?: string;
}

export interface WerSecondaryParameter {
  name: string;
  value: string;
  meaning?: string;
}

export interface WerFile {
  name: string;
  type: { code: string; name?: string };
}

/** An element or attributes the schema does not know; `element` is the path below the root. */
export interface WerExtra {
  element: string;
  attrs: [string, string][];
  text?: string;
}

export interface WerReport {
  machine?: { name: string; os?: WerOs; lcid?: WerLcid; oem?: string };
  user?: string;
  application?: { name: string; path: string; company?: string };
  event?: {
    reportType?: { code: number; name?: string };
    eventType: string;
    friendlyName?: string;
    description?: string;
    time?: { raw: string; iso?: string };
  };
  parameters: WerParameter[];
  secondary: WerSecondaryParameter[];
  files: WerFile[];
  extra: WerExtra[];
  warnings: string[];
}

/** Attributes each known element may carry (lower-case); others go to `extra`. */
const KNOWN_ATTRS: Record<string, readonly string[]> = {
  WERREPORT: [],
  MACHINEINFO: ['machinename', 'os', 'lcid', 'oem'],
  USERINFO: ['username'],
  APPLICATIONINFO: ['appname', 'apppath', 'appcompany'],
  EVENTINFO: ['reporttype', 'eventtype', 'friendlyeventname', 'eventdescription', 'eventtime'],
  SIGNATURE: [],
  PARAMETER: ['id', 'name', 'value'],
  SECONDARYPARAMETER: ['name', 'value'],
  FILES: [],
  FILE: ['filename', 'filetype'],
};

/** Element names as WER spells them: no need to upper-case these. */
const UPPER_NAMES: ReadonlySet<string> = new Set(Object.keys(KNOWN_ATTRS));

function upperName(node: XmlNode): string {
  return UPPER_NAMES.has(node.name) ? node.name : node.name.toUpperCase();
}

class Collector {
  readonly report: WerReport = { parameters: [], secondary: [], files: [], extra: [], warnings: [] };
  /** Upper-case names of the known elements seen so far. */
  readonly seen = new Set<string>();
  /** PARAMETER ids so far (a set: a report with 100,000 parameters must stay linear). */
  readonly parameterIds = new Set<number | string>();

  warn(message: string): void {
    this.report.warnings.push(message);
  }

  /** Keep attributes the schema does not define (xmlns declarations are expected). */
  keepUnknownAttrs(node: XmlNode, upper: string, parent?: string): void {
    const known = KNOWN_ATTRS[upper] ?? [];
    let unknown: [string, string][] | undefined;
    for (const attr of node.attrs) {
      if (known.includes(attr[0])) continue; // already lower-case: no need to convert it
      const lower = attr[0].toLowerCase();
      if (!known.includes(lower) && lower !== 'xmlns' && !lower.startsWith('xmlns:')) (unknown ??= []).push(attr);
    }
    const path = (): string => (parent === undefined ? node.name : `${parent}/${node.name}`);
    if (unknown) this.report.extra.push({ element: path(), attrs: unknown });
    if (node.children.length === 0) return;
    const text = textContent(node).trim();
    if (text) this.report.extra.push({ element: path(), attrs: [], text });
  }

  /** Whole unknown subtree → extra, one entry per element. */
  keepUnknownElement(node: XmlNode, path: string): void {
    const entry: WerExtra = { element: path, attrs: node.attrs };
    const text = textContent(node).trim();
    if (text) entry.text = text;
    this.report.extra.push(entry);
    for (const child of node.children.filter(isElement)) this.keepUnknownElement(child, `${path}/${child.name}`);
  }

  /** First occurrence wins; later duplicates are warned about and kept as extra. */
  once(node: XmlNode, upper: string): boolean {
    if (!this.seen.has(upper)) {
      this.seen.add(upper);
      return true;
    }
    this.warn(`more than one ${upper} element; only the first is used`);
    this.keepUnknownElement(node, node.name);
    return false;
  }

  required(node: XmlNode, upper: string, attr: string): string {
    const v = attrOf(node, attr);
    if (v === undefined) this.warn(`${upper} has no ${attr} attribute`);
    return v ?? '';
  }
}

function readMachine(c: Collector, node: XmlNode): void {
  const machine: NonNullable<WerReport['machine']> = { name: c.required(node, 'MACHINEINFO', 'machinename') };
  const os = c.required(node, 'MACHINEINFO', 'os');
  if (os) {
    const decoded = decodeOsString(os);
    if (!decoded) c.warn(`os string "${os}" is not dotted numbers`);
    else if (decoded.fieldCount !== 8) c.warn(`os string has ${decoded.fieldCount} fields, expected 8`);
    machine.os = Object.assign({ raw: os }, decoded); // = { raw, ...decoded }, without the slow spread
  }
  const lcid = c.required(node, 'MACHINEINFO', 'lcid');
  if (lcid) {
    const decoded = decodeLcid(lcid);
    if (!decoded) c.warn(`lcid "${lcid}" is not a number`);
    else if (!decoded.tag && !decoded.special) c.warn(`lcid ${lcid} is not in the LCID table`);
    machine.lcid = Object.assign({ raw: lcid }, decoded);
  }
  const oem = attrOf(node, 'oem');
  if (oem !== undefined) machine.oem = oem;
  c.report.machine = machine;
}

function readEvent(c: Collector, node: XmlNode): void {
  const event: NonNullable<WerReport['event']> = { eventType: c.required(node, 'EVENTINFO', 'eventtype') };
  const rt = c.required(node, 'EVENTINFO', 'reporttype');
  if (rt) {
    const decoded = decodeReportType(rt);
    if (!decoded) c.warn(`reporttype "${rt}" is not a number`);
    else {
      if (decoded.code > 4) c.warn(`reporttype ${decoded.code} is outside 0-4`);
      event.reportType = decoded;
    }
  }
  const friendly = attrOf(node, 'friendlyeventname');
  if (friendly !== undefined) event.friendlyName = friendly;
  const description = attrOf(node, 'eventdescription');
  if (description !== undefined) event.description = description;
  const time = c.required(node, 'EVENTINFO', 'eventtime');
  if (time) {
    const decoded = decodeFiletime(time);
    if (!decoded) c.warn(/^\s*\d+\s*$/.test(time) ? 'eventtime is out of range' : 'eventtime is not a number');
    event.time = decoded ? { raw: time, iso: decoded.iso } : { raw: time };
  }
  c.report.event = event;
}

function readSignature(c: Collector, node: XmlNode, path: string, eventType: string | undefined): void {
  for (const child of node.children) {
    if (!isElement(child)) continue;
    const upper = upperName(child);
    if (upper === 'PARAMETER') {
      const rawId = c.required(child, upper, 'id');
      const id: number | string = /^\d+$/.test(rawId.trim()) ? parseInt(rawId, 10) : rawId;
      if (typeof id !== 'number' || id > 9) c.warn(`PARAMETER id "${rawId}" is not a digit 0-9`);
      if (c.parameterIds.has(id)) c.warn(`PARAMETER id ${rawId} appears twice`);
      c.parameterIds.add(id);
      const param: WerParameter = { id, value: c.required(child, upper, 'value') };
      const name = attrOf(child, 'name');
      if (name !== undefined) param.name = name;
      const meaning = parameterMeaning(eventType, id, name, param.value);
      if (meaning !== undefined) param.meaning = meaning;
      c.report.parameters.push(param);
    } else if (upper === 'SECONDARYPARAMETER') {
      const param: WerSecondaryParameter = {
        name: c.required(child, upper, 'name'),
        value: c.required(child, upper, 'value'),
      };
      const meaning = secondaryMeaning(param.name, param.value);
      if (meaning !== undefined) param.meaning = meaning;
      c.report.secondary.push(param);
    } else {
      c.keepUnknownElement(child, `${path}/${child.name}`);
      continue;
    }
    c.keepUnknownAttrs(child, upper, path);
  }
  if (c.report.parameters.length > 10) c.warn(`${c.report.parameters.length} PARAMETERs, the schema allows 10`);
}

function readFiles(c: Collector, node: XmlNode, path: string): void {
  for (const child of node.children) {
    if (!isElement(child)) continue;
    const upper = upperName(child);
    if (upper !== 'FILE') {
      c.keepUnknownElement(child, `${path}/${child.name}`);
      continue;
    }
    const type = decodeFileType(c.required(child, upper, 'filetype'));
    if (type.code && !/^\d+$/.test(type.code)) c.warn(`FILE filetype "${type.code}" is not a number`);
    c.report.files.push({ name: c.required(child, upper, 'filename'), type });
    c.keepUnknownAttrs(child, upper, path);
  }
}

/** Build a WerReport from an already parsed document. */
export function werReportFromXml(nodes: XmlNode[]): WerReport {
  const c = new Collector();
  const root = rootElement(nodes);
  if (!root) {
    c.warn('no root element');
    return c.report;
  }
  if (upperName(root) !== 'WERREPORT') c.warn(`root element is ${root.name}, expected WERREPORT`);
  c.keepUnknownAttrs(root, 'WERREPORT');
  const children = root.children.filter(isElement);
  // parameter meanings depend on the event type, and SIGNATURE may come before EVENTINFO
  const eventInfo = children.find((n) => upperName(n) === 'EVENTINFO');
  const eventType = eventInfo ? attrOf(eventInfo, 'eventtype') : undefined;
  for (const node of children) {
    const upper = upperName(node);
    if (!(upper in KNOWN_ATTRS) || upper === 'WERREPORT' || upper === 'PARAMETER' || upper === 'SECONDARYPARAMETER' || upper === 'FILE') {
      c.keepUnknownElement(node, node.name);
      continue;
    }
    if (!c.once(node, upper)) continue;
    if (upper === 'MACHINEINFO') readMachine(c, node);
    else if (upper === 'USERINFO') c.report.user = c.required(node, upper, 'username');
    else if (upper === 'APPLICATIONINFO') {
      const app: NonNullable<WerReport['application']> = {
        name: c.required(node, upper, 'appname'),
        path: c.required(node, upper, 'apppath'),
      };
      const company = attrOf(node, 'appcompany');
      if (company !== undefined) app.company = company;
      c.report.application = app;
    } else if (upper === 'EVENTINFO') readEvent(c, node);
    else if (upper === 'SIGNATURE') readSignature(c, node, node.name, eventType);
    else if (upper === 'FILES') readFiles(c, node, node.name);
    c.keepUnknownAttrs(node, upper);
  }
  for (const required of ['MACHINEINFO', 'USERINFO', 'EVENTINFO']) {
    if (!c.seen.has(required)) c.warn(`no ${required} element`); // every known element passes once()
  }
  return c.report;
}

/** Parse level 1 XML text. Throws XmlParseError when the XML itself is malformed. */
export function parseWerReport(text: string): WerReport {
  return werReportFromXml(parseXml(text));
}
