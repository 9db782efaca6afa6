// How each `--filter` field (field-specs.ts) is read from what one event knows: the request line
// and headers, the response, the decoded WER report (domain/body/message.ts), the connection. A field
// gives a list of values (a header can repeat; `app` is the name and the executable), empty when
// absent. Pure: reads the model, decodes bodies through the shared cache, no I/O.
import type { ConnectionInfo, Exchange, Header, HttpMessage, Problem } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { getHeaderAll } from '../../pipeline/http/head.js';
import type { WerReport } from '../../domain/report/report.js';

/** What one event lets the filter see. */
export interface FilterSubject {
  connection: ConnectionInfo;
  exchange?: Exchange;
  /** For `problem` events. */
  problem?: Problem;
  /** False while the exchange's response may still come: response fields are then unknown. */
  final: boolean;
}

export type FieldValue = string | number;
type Getter = (s: FilterSubject, arg?: string) => FieldValue[];

const none: FieldValue[] = [];
const one = (v: FieldValue | undefined | null): FieldValue[] => (v === undefined || v === null || v === '' ? none : [v]);
const request = (s: FilterSubject) => s.exchange?.request;
const response = (s: FilterSubject) => s.exchange?.response;

function report(s: FilterSubject): WerReport | undefined {
  const req = request(s);
  return req ? decodedOf(req).report : undefined;
}

function headerValues(headers: Header[] | undefined, name: string | undefined): FieldValue[] {
  return headers && name ? getHeaderAll(headers, name) : none;
}

function decoded(msg: HttpMessage | undefined, s: FilterSubject) {
  return msg ? decodedOf(msg, msg.head.kind === 'response' ? request(s) : undefined) : undefined;
}

/** `C:\Program Files\Widget\widget.exe` → `widget.exe`. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
}

/** Parameter names compared by letters and digits only: `param.osversion` = "OS Version". */
function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export const FIELD_GETTERS: Readonly<Record<string, Getter>> = {
  method: (s) => one(request(s)?.head.method),
  target: (s) => one(request(s)?.head.target),
  path: (s) => one(request(s)?.head.target.split('?')[0]),
  query: (s) => {
    const t = request(s)?.head.target;
    return t && t.includes('?') ? one(t.slice(t.indexOf('?') + 1)) : none;
  },
  version: (s) => one(request(s)?.head.version),
  host: (s) => headerValues(request(s)?.head.headers, 'host'),
  header: (s, a) => headerValues(request(s)?.head.headers, a),
  body: (s) => one(decoded(request(s), s)?.text),
  size: (s) => one(request(s)?.body.length),
  kind: (s) => one(decoded(request(s), s)?.kind),
  report: (s) => one(s.exchange?.reportId),
  event: (s) => one(report(s)?.event?.eventType),
  eventname: (s) => one(report(s)?.event?.friendlyName),
  reporttype: (s) => {
    const t = report(s)?.event?.reportType;
    return t ? [t.code, ...one(t.name)] : none;
  },
  app: (s) => {
    const a = report(s)?.application;
    return a ? [...one(a.name), ...one(a.path ? baseName(a.path) : undefined)] : none;
  },
  apppath: (s) => one(report(s)?.application?.path),
  company: (s) => one(report(s)?.application?.company),
  machine: (s) => one(report(s)?.machine?.name),
  user: (s) => one(report(s)?.user),
  os: (s) => {
    const o = report(s)?.machine?.os;
    return o ? [...one(o.raw), ...one(o.versionName)] : none;
  },
  lcid: (s) => {
    const l = report(s)?.machine?.lcid;
    return l ? [...one(l.raw), ...one(l.hex), ...one(l.tag)] : none;
  },
  p: (s, a) => (report(s)?.parameters ?? []).filter((p) => String(p.id) === String(Number(a) - 1)).map((p) => p.value),
  param: (s, a) => {
    const r = report(s);
    if (!r || !a) return none;
    const want = normalizeName(a);
    return [...r.parameters, ...r.secondary].filter((p) => p.name !== undefined && normalizeName(p.name) === want).map((p) => p.value);
  },
  response: (s) => (response(s) ? ['yes'] : none),
  status: (s) => one(response(s)?.head.status),
  reason: (s) => one(response(s)?.head.reason),
  'response.header': (s, a) => headerValues(response(s)?.head.headers, a),
  'response.body': (s) => one(decoded(response(s), s)?.text),
  'response.size': (s) => one(response(s)?.body.length),
  latency: (s) => {
    const q = request(s);
    const r = response(s);
    return q && r ? [Math.max(0, r.startTs - q.endTs)] : none;
  },
  peer: (s) => one(s.connection.peer),
  local: (s) => one(s.connection.local),
  upstream: (s) => one(s.connection.upstream),
  conn: (s) => [s.connection.id],
  seq: (s) => one(s.exchange?.seq),
  problem: (s) => [...(s.exchange?.problems.map((p) => p.code) ?? []), ...one(s.problem?.code)],
};
