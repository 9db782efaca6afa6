// Decodes an HTTP message body once and remembers the result, so the responder, the pretty
// printer and NDJSON all share one decoding of the same bytes.
import type { HttpMessage, Request } from '../model.js';
import { decodeBody, type BodyDecoding } from './views.js';
import { isCab, parseCabView, type CabView } from './cab-view.js';

/** A body's decoding, plus the CAB's contents when the body is a cabinet (level 2). */
export type MessageDecoding = BodyDecoding & { cab?: CabView };

const cache = new WeakMap<HttpMessage, MessageDecoding>();

/** Decoding of `message`'s body; `request` is what it answers (responses only). */
export function decodeMessage(message: HttpMessage, request?: Request): MessageDecoding {
  let dec = cache.get(message);
  if (!dec) {
    const head = message.head;
    const data = message.body.data ?? Buffer.alloc(0);
    dec = decodeBody(data, {
      headers: head.headers,
      isResponse: head.kind === 'response',
      requestMethod: head.kind === 'request' ? head.method : request?.head.method,
      requestTarget: head.kind === 'request' ? head.target : request?.head.target,
    });
    if (isCab(data)) dec = { ...dec, cab: parseCabView(data) };
    cache.set(message, dec);
  }
  return dec;
}
