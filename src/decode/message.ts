// Decodes an HTTP message body once and remembers the result, so the responder, the pretty
// printer and NDJSON all share one decoding of the same bytes. It remembers only the most
// recent decodings: an offline decode keeps every unanswered request (exchange-builder.ts),
// and holding each one's text, XML tree and report too would grow the heap by ~15 KB a report.
// A message asked for again later is simply decoded again (same bytes, same result).
import type { HttpMessage, Request } from '../model.js';
import { decodeBody, type BodyDecoding } from './views.js';
import { isCab, parseCabView, type CabView } from './cab-view.js';

/** A body's decoding, plus the CAB's contents when the body is a cabinet (level 2). */
export type MessageDecoding = BodyDecoding & { cab?: CabView };

/** How many decodings stay cached, oldest forgotten first. */
export const DECODE_CACHE_SIZE = 64;
const cache = new WeakMap<HttpMessage, MessageDecoding>();
// Weak, so the cache never keeps a message (and its body) alive by itself.
const recent: (WeakRef<HttpMessage> | undefined)[] = new Array(DECODE_CACHE_SIZE);
let next = 0;

function remember(message: HttpMessage, dec: MessageDecoding): void {
  const old = recent[next]?.deref();
  if (old) cache.delete(old);
  recent[next] = new WeakRef(message);
  next = (next + 1) % DECODE_CACHE_SIZE;
  cache.set(message, dec);
}

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
    remember(message, dec);
  }
  return dec;
}
