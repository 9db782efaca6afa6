// The fields a `--filter` can name: type, which part of an exchange they come from, and a line
// of help. Kept apart from how they are read (fields.ts) so that parsing a filter on the
// command line loads no decoder. Pure data.

export interface FieldSpec {
  type: 'text' | 'number';
  /** `response` fields are unknown until the response came (or never will). */
  side: 'request' | 'response' | 'connection';
  /** Takes an argument after a dot: `header.<name>`. */
  family?: boolean;
  /** One line for docs/filters.md and error messages. */
  help: string;
}

const req = (help: string, type: FieldSpec['type'] = 'text'): FieldSpec => ({ type, side: 'request', help });
const res = (help: string, type: FieldSpec['type'] = 'text'): FieldSpec => ({ type, side: 'response', help });
const conn = (help: string, type: FieldSpec['type'] = 'text'): FieldSpec => ({ type, side: 'connection', help });

/** Every field by lower-case name. `p` stands for `p1`…`p10`. Order is the documented order. */
export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  method: req('request method (POST, PUT, …)'),
  target: req('request target as sent, query included'),
  path: req('request target without the query'),
  query: req('request target after the ?'),
  version: req('request HTTP version'),
  host: req('Host header'),
  header: { ...req('a request header by name, e.g. header.user-agent (any of its copies)'), family: true },
  body: req('request body as decoded text (not binary bodies)'),
  size: req('request body length in bytes', 'number'),
  kind: req('request body kind: wer-report, xml, text, binary, empty'),
  report: req('report id (r1, r2, …): level-1 reports and the uploads matched to them'),
  event: req('WER event type (APPCRASH, BlueScreen, …)'),
  eventname: req('WER friendly event name'),
  reporttype: req('WER report type: code or name'),
  app: req('application name or its executable (from the path)'),
  apppath: req('application path'),
  company: req('application company'),
  machine: req('machine name'),
  user: req('user name'),
  os: req('OS version string or its name (e.g. "Windows 10 22H2")'),
  lcid: req('locale: number, hex or tag (1033, 0x0409, en-US)'),
  p: req('signature parameter P1…P10 (PARAMETER id 0…9)'),
  param: { ...req('a signature or secondary parameter by name, letters and digits only (param.bccode, param.osversion)'), family: true },
  response: res('present when a response came'),
  status: res('response status code', 'number'),
  reason: res('response reason phrase'),
  'response.header': { ...res('a response header by name, e.g. response.header.content-type'), family: true },
  'response.body': res('response body as decoded text'),
  'response.size': res('response body length in bytes', 'number'),
  latency: res('ms from the end of the request to the start of the response', 'number'),
  peer: conn('client address:port'),
  local: conn('address:port the connection was accepted on'),
  upstream: conn('relay upstream host:port'),
  conn: conn('connection id', 'number'),
  seq: conn('exchange number on its connection', 'number'),
  // Problems can strike until the response is complete, so this waits for it like a response field.
  problem: res('problem code (bad-request-line, truncated-body, …) of the exchange or problem event'),
};

/** Names as documented: families with `<name>`, `p1…p10`. */
export function fieldNames(): string[] {
  return Object.entries(FIELDS).map(([n, f]) => (n === 'p' ? 'p1…p10' : f.family ? `${n}.<name>` : n));
}
