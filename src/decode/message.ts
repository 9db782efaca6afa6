// Decodes an HTTP message body once and remembers the result, so the responder, the pretty
// printer and NDJSON all share one decoding of the same bytes.
import type { HttpMessage, Request } from '../model.js';
import { decodeBody, type BodyDecoding } from './views.js';

const cache = new WeakMap<HttpMessage, BodyDecoding>();

/** Decoding of `message`'s body; `request` is what it answers (responses only). */
export function decodeMessage(message: HttpMessage, request?: Request): BodyDecoding {
  let dec = cache.get(message);
  if (!dec) {
    const head = message.head;
    dec = decodeBody(message.body.data ?? Buffer.alloc(0), {
      headers: head.headers,
      isResponse: head.kind === 'response',
      requestMethod: head.kind === 'request' ? head.method : request?.head.method,
      requestTarget: head.kind === 'request' ? head.target : request?.head.target,
    });
    cache.set(message, dec);
  }
  return dec;
}
