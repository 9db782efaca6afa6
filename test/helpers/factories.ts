// Fixed-value factories for unit tests: connections, messages and exchanges built from real
// bytes, with fixed timestamps (no clock). Override any field with the `over` arguments.
import { createHash } from 'node:crypto';
import type {
  Body, ConnectionInfo, Exchange, Header, Request, RequestHead, Response, ResponseHead,
} from '../../src/model.js';

/** 2024-05-14T09:26:54.000Z, the date inside the shared CAB vectors. */
export const T0 = Date.UTC(2024, 4, 14, 9, 26, 54);

export function makeConnection(over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id: 1, peer: '192.0.2.7:49731', local: '127.0.0.1:1273', openedAt: T0,
    bytesFromClient: 0, bytesFromServer: 0, ...over,
  };
}

export function makeBody(data: Buffer | string, over: Partial<Body> = {}): Body {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return {
    length: bytes.length, data: bytes, head: bytes.subarray(0, 4096),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    framing: bytes.length ? 'content-length' : 'none', trailers: [], complete: true, ...over,
  };
}

function rawHead(first: string, headers: Header[]): Buffer {
  return Buffer.from([first, ...headers.map(([n, v]) => `${n}: ${v}`), '', ''].join('\r\n'), 'latin1');
}

export function makeRequest(
  method = 'POST', target = '/stage2.htm', body: Buffer | string = '', headers?: Header[], over: Partial<Request> = {},
): Request {
  const b = makeBody(body);
  const hs: Header[] = headers ?? [['Host', 'cer-lab.example.test:1273'], ['Content-Length', String(b.length)]];
  const head: RequestHead = { kind: 'request', method, target, version: 'HTTP/1.1', headers: hs, raw: rawHead(`${method} ${target} HTTP/1.1`, hs) };
  return { head, body: b, start: 0, end: head.raw.length + b.length, startTs: T0, endTs: T0 + 5, ...over };
}

export function makeResponse(
  status = 200, reason = 'OK', body: Buffer | string = '', headers?: Header[], over: Partial<Response> = {},
): Response {
  const b = makeBody(body);
  const hs: Header[] = headers ?? [['Content-Length', String(b.length)]];
  const head: ResponseHead = { kind: 'response', version: 'HTTP/1.1', status, reason, headers: hs, raw: rawHead(`HTTP/1.1 ${status} ${reason}`, hs) };
  return { head, body: b, start: 0, end: head.raw.length + b.length, startTs: T0 + 12, endTs: T0 + 13, ...over };
}

export function makeExchange(over: Partial<Exchange> = {}): Exchange {
  return {
    seq: 1, connection: makeConnection(), request: makeRequest(), interim: [], response: makeResponse(),
    problems: [], ...over,
  };
}
