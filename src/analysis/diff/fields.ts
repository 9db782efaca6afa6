// Flattens one Conversation into named fields for `diff`: the request line and headers (by
// name, duplicates joined, plus their order), the body's size and charset, every element and
// attribute of the report — signature parameters keyed by id, secondary parameters by name,
// files by file name — the server's answer (status, headers, each Key=value line), the
// upload (request line, size, status) and the CAB's files. Pure.
import type { Header, HttpMessage } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { attrOf, isElement, rootElement, textContent, type XmlNode } from '../../domain/body/xml.js';
import { decodeFiletime } from '../../domain/report/fields.js';
import type { Conversation } from './conversation.js';

export type FieldGroup = 'request' | 'report' | 'answer' | 'upload';

export interface Field {
  group: FieldGroup;
  /** Shown and matched by `--ignore`, e.g. `report.SIGNATURE.PARAMETER[0].value`. */
  name: string;
  /** Compared case-insensitively for header names, exactly otherwise. */
  key: string;
  value: string;
}

/** Name of the header-order field of a message (`request.headers`, `answer.headers`). */
export const ORDER_SUFFIX = 'header-order';

function headerFields(group: FieldGroup, prefix: string, headers: Header[], out: Field[]): void {
  const byName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    const entry = byName.get(lower);
    if (entry) entry.values.push(value);
    else byName.set(lower, { name, values: [value] });
  }
  for (const [lower, { name, values }] of byName) {
    out.push({ group, name: `${prefix}.header.${name}`, key: `${prefix}.header.${lower}`, value: values.join(', ') });
  }
  out.push({ group, name: `${prefix}.${ORDER_SUFFIX}`, key: `${prefix}.${ORDER_SUFFIX}`, value: headers.map((h) => h[0]).join(', ') });
}

function bodyFields(group: FieldGroup, prefix: string, msg: HttpMessage, out: Field[]): void {
  const add = (name: string, value: string): void => void out.push({ group, name: `${prefix}.${name}`, key: `${prefix}.${name}`, value });
  add('body.length', String(msg.body.length));
  if (!msg.body.complete) add('body.complete', 'false');
}

function element(group: FieldGroup, path: string, node: XmlNode, out: Field[]): void {
  for (const [name, value] of node.attrs) {
    let shown = value;
    if (path.endsWith('EVENTINFO') && name.toLowerCase() === 'eventtime') {
      const iso = decodeFiletime(value)?.iso;
      if (iso) shown = `${value} (${iso})`;
    }
    out.push({ group, name: `${path}.${name}`, key: `${path}.${name}`, value: shown });
  }
  const counts = new Map<string, number>();
  const text = node.children.filter((c) => !isElement(c)).map((c) => c.text ?? '').join('').trim();
  if (text) out.push({ group, name: `${path}.#text`, key: `${path}.#text`, value: text });
  for (const child of node.children.filter(isElement)) {
    const upper = child.name.toUpperCase();
    let id: string;
    if (upper === 'PARAMETER') id = `PARAMETER[${attrOf(child, 'id') ?? '?'}]`;
    else if (upper === 'SECONDARYPARAMETER') id = `SECONDARYPARAMETER[${attrOf(child, 'name') ?? '?'}]`;
    else if (upper === 'FILE') id = `FILE[${attrOf(child, 'filename') ?? '?'}]`;
    else {
      const n = (counts.get(upper) ?? 0) + 1;
      counts.set(upper, n);
      id = n === 1 ? upper : `${upper}[${n}]`;
    }
    const childPath = `${path}.${id}`;
    if (upper === 'SECONDARYPARAMETER') {
      out.push({ group, name: childPath, key: childPath, value: attrOf(child, 'value') ?? '' });
      continue;
    }
    if (upper === 'FILE') {
      out.push({ group, name: childPath, key: childPath, value: `filetype ${attrOf(child, 'filetype') ?? '?'}` });
      continue;
    }
    if (upper === 'PARAMETER') {
      // id is the key; name and value are what can differ
      for (const attr of ['name', 'value']) {
        const v = attrOf(child, attr);
        if (v !== undefined) out.push({ group, name: `${childPath}.${attr}`, key: `${childPath}.${attr}`, value: v });
      }
      continue;
    }
    element(group, childPath, child, out);
    if (upper !== 'SIGNATURE' && child.children.filter(isElement).length === 0 && child.attrs.length === 0 && !textContent(child).trim()) {
      out.push({ group, name: childPath, key: childPath, value: '(empty element)' });
    }
  }
}

function reportFields(msg: HttpMessage, out: Field[]): void {
  const dec = decodedOf(msg);
  if (dec.charset) out.push({ group: 'request', name: 'request.body.charset', key: 'request.body.charset', value: `${dec.charset.name} (${dec.charset.rule})` });
  out.push({ group: 'report', name: 'report.kind', key: 'report.kind', value: dec.kind });
  const xml = dec.xml;
  if (!xml) return;
  const decl = xml.find((n) => n.name === '?xml');
  if (decl) out.push({ group: 'report', name: 'report.xml-declaration', key: 'report.xml-declaration', value: decl.attrs.map(([k, v]) => `${k}="${v}"`).join(' ') });
  const root = rootElement(xml);
  if (!root) return;
  const rootName = root.name.toUpperCase();
  if (rootName !== 'WERREPORT') out.push({ group: 'report', name: 'report.root', key: 'report.root', value: root.name });
  element('report', 'report', root, out);
  // signature presence, so an empty SIGNATURE shows up as a row of its own
  const sig = root.children.find((c) => isElement(c) && c.name.toUpperCase() === 'SIGNATURE');
  const params = sig ? sig.children.filter((c) => isElement(c) && c.name.toUpperCase() === 'PARAMETER').length : 0;
  const secondary = sig ? sig.children.filter((c) => isElement(c) && c.name.toUpperCase() === 'SECONDARYPARAMETER').length : 0;
  out.push({ group: 'report', name: 'report.SIGNATURE', key: 'report.SIGNATURE', value: sig ? `${params} PARAMETER, ${secondary} SECONDARYPARAMETER` : '(none)' });
}

export function conversationFields(conv: Conversation): Field[] {
  const out: Field[] = [];
  const req = conv.report.request!;
  const line = (group: FieldGroup, name: string, value: string): void => void out.push({ group, name, key: name, value });
  line('request', 'request.method', req.head.method);
  line('request', 'request.target', req.head.target);
  line('request', 'request.version', req.head.version);
  headerFields('request', 'request', req.head.headers, out);
  bodyFields('request', 'request', req, out);
  reportFields(req, out);
  const res = conv.report.response;
  if (res) {
    line('answer', 'answer.status', `${res.head.status} ${res.head.reason}`);
    headerFields('answer', 'answer', res.head.headers, out);
    bodyFields('answer', 'answer', res, out);
    const level1 = decodedOf(res, req).level1;
    for (const e of level1?.entries ?? []) line('answer', `answer.${e.key}`, e.value);
  } else line('answer', 'answer.status', '(no answer)');
  const up = conv.upload;
  if (up?.request) {
    line('upload', 'upload.method', up.request.head.method);
    line('upload', 'upload.target', up.request.head.target);
    headerFields('upload', 'upload', up.request.head.headers, out);
    bodyFields('upload', 'upload', up.request, out);
    line('upload', 'upload.status', up.response ? `${up.response.head.status} ${up.response.head.reason}` : '(no answer)');
  }
  if (conv.cabFiles) {
    line('upload', 'cab.files', conv.cabFiles.map((f) => f.name).join(', '));
    for (const f of conv.cabFiles) line('upload', `cab.file[${f.name}]`, `${f.size} bytes`);
  }
  return out;
}
