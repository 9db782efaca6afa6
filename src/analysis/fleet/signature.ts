// The few facts of a WER report an admin scans a fleet by: machine, event type, application and
// version, exception code, faulting module and offset — and the signature key reports group
// by. The key is the event type plus every signature parameter, the same input our `Bucket=`
// is derived from (domain/server/level1-answer.ts signatureNumber), so one bucket-table row is one
// Bucket. Pure: a decoded report in, strings out.
import type { WerReport } from '../../domain/report/report.js';
import { parameterLabel } from '../../domain/report/names.js';

export interface ReportFacts {
  /** The machine's first DNS label (`WKS-0042` of `WKS-0042.corp.example.test`). */
  machine?: string;
  event?: string;
  app?: string;
  version?: string;
  /** Exception code (APPCRASH/BEX), or the bugcheck code of a BlueScreen. */
  code?: string;
  module?: string;
  offset?: string;
  /** Event type and signature parameters: equal keys, equal Bucket. */
  key: string;
}

type Role = 'app' | 'version' | 'code' | 'module' | 'offset';

const ROLES: [RegExp, Role][] = [
  [/^(application name|appname|app name)$/i, 'app'],
  [/^(application version|appver|app version)$/i, 'version'],
  [/^(exception code|bccode|bug ?check code|stop code)$/i, 'code'],
  [/^(fault(ing)? module name|modname|module name)$/i, 'module'],
  [/^(exception offset|fault(ing)? offset|offset)$/i, 'offset'],
];

function roleOf(label: string | undefined): Role | undefined {
  return label ? ROLES.find(([re]) => re.test(label.trim()))?.[1] : undefined;
}

export function reportFacts(report: WerReport): ReportFacts {
  const event = report.event?.eventType;
  const facts: ReportFacts = { event, key: signatureKey(report) };
  const name = report.machine?.name;
  if (name) facts.machine = /^[\d.]+$|:/.test(name) ? name : name.split('.')[0];
  for (const p of report.parameters) {
    const role = roleOf(parameterLabel(event, p.id)) ?? roleOf(p.name);
    if (role && facts[role] === undefined && p.value !== '') facts[role] = p.value;
  }
  // A bugcheck code often travels as a secondary parameter (BCCode).
  for (const s of report.secondary) {
    const role = roleOf(s.name);
    if (role && facts[role] === undefined && s.value !== '') facts[role] = s.value;
  }
  // Generic reports: the first two parameters are, by convention, the program and its version.
  const byId = (id: number) => report.parameters.find((p) => Number(p.id) === id)?.value;
  facts.app ??= byId(0) ?? report.application?.name;
  if (facts.version === undefined && facts.app === byId(0)) facts.version = byId(1);
  if (facts.offset) facts.offset = shortOffset(facts.offset);
  return facts;
}

/** `00000000000431be` → `0x431be`; other text unchanged. */
function shortOffset(s: string): string {
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(s);
  return m ? '0x' + (m[1]!.replace(/^0+(?=.)/, '').toLowerCase()) : s;
}

export function signatureKey(report: WerReport): string {
  const parts = [report.event?.eventType ?? ''];
  for (const p of report.parameters) parts.push(`${p.id}=${p.value}`);
  return parts.join('\0');
}
