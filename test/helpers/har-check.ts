// The fields HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) marks required, as a
// checker: returns one line per missing or mistyped field, empty when the document conforms.
type Json = Record<string, unknown>;
type Kind = 'string' | 'number' | 'array' | 'object';

const REQUIRED: Record<string, Record<string, Kind>> = {
  log: { version: 'string', creator: 'object', entries: 'array' },
  creator: { name: 'string', version: 'string' },
  entry: { startedDateTime: 'string', time: 'number', request: 'object', response: 'object', cache: 'object', timings: 'object' },
  request: {
    method: 'string', url: 'string', httpVersion: 'string', cookies: 'array', headers: 'array',
    queryString: 'array', headersSize: 'number', bodySize: 'number',
  },
  response: {
    status: 'number', statusText: 'string', httpVersion: 'string', cookies: 'array', headers: 'array',
    content: 'object', redirectURL: 'string', headersSize: 'number', bodySize: 'number',
  },
  content: { size: 'number', mimeType: 'string' },
  postData: { mimeType: 'string' },
  timings: { send: 'number', wait: 'number', receive: 'number' },
  nameValue: { name: 'string', value: 'string' },
};

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

function check(obj: unknown, type: string, where: string, out: string[]): void {
  if (kindOf(obj) !== 'object') {
    out.push(`${where}: not an object`);
    return;
  }
  for (const [key, kind] of Object.entries(REQUIRED[type]!)) {
    const v = (obj as Json)[key];
    if (kindOf(v) !== kind) out.push(`${where}.${key}: expected ${kind}, got ${kindOf(v)}`);
  }
  for (const key of Object.keys(obj as Json)) {
    if (!(key in REQUIRED[type]!) && !key.startsWith('_') && !KNOWN_OPTIONAL[type]?.includes(key)) {
      out.push(`${where}.${key}: not a HAR 1.2 field (custom fields start with _)`);
    }
  }
}

const KNOWN_OPTIONAL: Record<string, string[]> = {
  log: ['browser', 'pages', 'comment'],
  creator: ['comment'],
  entry: ['pageref', 'serverIPAddress', 'connection', 'comment'],
  request: ['postData', 'comment'],
  response: ['comment'],
  content: ['compression', 'text', 'encoding', 'comment'],
  postData: ['params', 'text', 'comment'],
  timings: ['blocked', 'dns', 'connect', 'ssl', 'comment'],
  nameValue: ['comment'],
};

export function harProblems(doc: unknown): string[] {
  const out: string[] = [];
  const log = (doc as Json | undefined)?.log;
  check(log, 'log', 'log', out);
  if (out.length) return out;
  const l = log as Json;
  if (l.version !== '1.2') out.push(`log.version: ${String(l.version)}`);
  check(l.creator, 'creator', 'log.creator', out);
  (l.entries as Json[]).forEach((e, i) => {
    const w = `log.entries[${i}]`;
    check(e, 'entry', w, out);
    if (Number.isNaN(Date.parse(String(e.startedDateTime)))) out.push(`${w}.startedDateTime: not a date`);
    const req = e.request as Json;
    const res = e.response as Json;
    check(req, 'request', `${w}.request`, out);
    check(res, 'response', `${w}.response`, out);
    for (const [list, at] of [[req?.headers, 'request.headers'], [req?.queryString, 'request.queryString'], [res?.headers, 'response.headers']] as const) {
      (list as Json[] | undefined)?.forEach((h, j) => check(h, 'nameValue', `${w}.${at}[${j}]`, out));
    }
    if (req?.postData !== undefined) check(req.postData, 'postData', `${w}.request.postData`, out);
    check(res?.content, 'content', `${w}.response.content`, out);
    check(e.timings, 'timings', `${w}.timings`, out);
    const t = e.timings as Json;
    for (const k of ['send', 'wait', 'receive']) if ((t?.[k] as number) < 0) out.push(`${w}.timings.${k}: negative`);
  });
  return out;
}
