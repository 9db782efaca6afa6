// The level-1 schema as MS-CER2 §2.2.1.3 defines it (docs/protocol.md §3.2): per element, its section,
// required and optional attributes, and the length limit of each attribute's simple type
// (§2.2.1.2: maxpathstring ≤ 256, string32 ≤ 32). Data only.

export interface ElementRule {
  section: string;
  required: readonly string[];
  optional: readonly string[];
  /** May appear only once below its parent. */
  single: boolean;
  children: readonly string[];
  /** required + optional, for quick look-ups. */
  known?: ReadonlySet<string>;
}

export const ROOT = 'WERREPORT';

export const ELEMENTS: Record<string, ElementRule> = {
  WERREPORT: { section: '§2.2.1.3.1', required: [], optional: [], single: true, children: ['USERINFO', 'MACHINEINFO', 'APPLICATIONINFO', 'EVENTINFO', 'SIGNATURE', 'FILES'] },
  USERINFO: { section: '§2.2.1.3.2', required: ['username'], optional: [], single: true, children: [] },
  MACHINEINFO: { section: '§2.2.1.3.3', required: ['machinename', 'os', 'lcid'], optional: ['oem'], single: true, children: [] },
  APPLICATIONINFO: { section: '§2.2.1.3.4', required: ['appname', 'apppath'], optional: ['appcompany'], single: true, children: [] },
  EVENTINFO: {
    section: '§2.2.1.3.5', required: ['reporttype', 'eventtype', 'eventtime'], optional: ['friendlyeventname', 'eventdescription'], single: true, children: [],
  },
  SIGNATURE: { section: '§2.2.1.3.6', required: [], optional: [], single: true, children: ['PARAMETER', 'SECONDARYPARAMETER'] },
  PARAMETER: { section: '§2.2.1.3.6.1', required: ['id', 'value'], optional: ['name'], single: false, children: [] },
  SECONDARYPARAMETER: { section: '§2.2.1.3.6.2', required: ['name', 'value'], optional: [], single: false, children: [] },
  FILES: { section: '§2.2.1.3.7', required: [], optional: [], single: true, children: ['FILE'] },
  FILE: { section: '§2.2.1.3.7.1', required: ['filename', 'filetype'], optional: [], single: false, children: [] },
};

for (const rule of Object.values(ELEMENTS)) rule.known = new Set([...rule.required, ...rule.optional]);

/** Children of WERREPORT a report cannot do without (APPLICATIONINFO has minOccurs 0; FILES
 * is absent in §4.4; SIGNATURE is judged by the bucketing rules). */
export const REQUIRED_CHILDREN = ['MACHINEINFO', 'USERINFO', 'EVENTINFO'] as const;

/** Attributes whose type cannot be empty (patterns, numbers) plus eventtype, without which the
 * report has no event. Other required attributes are xs:string or maxpathstring (0-256). */
export const TYPED_ATTRS: ReadonlySet<string> = new Set(['reporttype', 'eventtype', 'eventtime', 'os', 'lcid', 'id', 'filetype']);

/** Length limits (§2.2.1.2): maxpathstring 256, string32 32. Key `ELEMENT.attr`. */
export const MAX_LENGTHS: Record<string, { max: number; type: string }> = {
  'MACHINEINFO.machinename': { max: 256, type: 'maxpathstring' },
  'MACHINEINFO.oem': { max: 32, type: 'string32' },
  'APPLICATIONINFO.appname': { max: 256, type: 'maxpathstring' },
  'APPLICATIONINFO.apppath': { max: 256, type: 'maxpathstring' },
  'APPLICATIONINFO.appcompany': { max: 256, type: 'maxpathstring' },
  'FILE.filename': { max: 256, type: 'maxpathstring' },
};

/** MAX_LENGTHS by element, then by lower-case attribute name (what the checks look up). */
export const MAX_LENGTHS_OF: ReadonlyMap<string, ReadonlyMap<string, { max: number; type: string }>> = (() => {
  const byElement = new Map<string, Map<string, { max: number; type: string }>>();
  for (const [key, limit] of Object.entries(MAX_LENGTHS)) {
    const dot = key.indexOf('.');
    const element = key.slice(0, dot);
    if (!byElement.has(element)) byElement.set(element, new Map());
    byElement.get(element)!.set(key.slice(dot + 1), limit);
  }
  return byElement;
})();
