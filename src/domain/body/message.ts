// Decodes an HTTP message body once and remembers the result, so the responder, the pretty
// printer and NDJSON all share one decoding of the same bytes. Only the last few decodings are
// remembered, and not through the message: a message can stay alive long after its event (an
// unanswered request waits for its answer), and a decoding held by it (its text, XML tree and
// report, ~15 KB) would live as long — which the garbage collector pays for at every report.
// A message asked for again after that is simply decoded again (same bytes, same result).
import type { HttpMessage, Request } from '../../model.js';
import { decodeBody, type BodyDecoding } from './views.js';
import { isCab, parseCabView, type CabView } from '../cab/cab-view.js';

/** A body's decoding, plus the CAB's contents when the body is a cabinet (level 2). */
export type MessageDecoding = BodyDecoding & { cab?: CabView };

/** How many recent decodings are remembered: every consumer of an event asks during it, and an
 * event concerns at most two messages (a response and its request). */
export const DECODE_CACHE_SIZE = 4;
/** A number per message: weakly keyed, and a number keeps nothing else alive. */
const ids = new WeakMap<HttpMessage, number>();
let lastId = 0;
const recent: { id: number; dec: MessageDecoding }[] = [];
let nextSlot = 0;

function recall(id: number | undefined): MessageDecoding | undefined {
  if (id === undefined) return undefined;
  for (const r of recent) if (r.id === id) return r.dec;
  return undefined;
}

/** CAB views computed elsewhere (a worker thread, see capture/cab-offload.ts), by message: a
 * CAB is inflated once, and whoever decodes the message later gets that view. Only level-2
 * uploads are in it, and only while their message lives. */
const cabViews = new WeakMap<HttpMessage, CabView>();

export function rememberCabView(message: HttpMessage, view: CabView): void {
  cabViews.set(message, view);
}

/** Decoding of `message`'s body; `request` is what it answers (responses only). */
export function decodeMessage(message: HttpMessage, request?: Request): MessageDecoding {
  let id = ids.get(message);
  let dec = recall(id);
  if (!dec) {
    const head = message.head;
    // A spooled upload (not kept in memory) is decoded from its first bytes and its CAB view.
    const spooledView = message.body.data === undefined ? cabViews.get(message) : undefined;
    const data = message.body.data ?? (spooledView ? message.body.head : Buffer.alloc(0));
    dec = decodeBody(data, {
      headers: head.headers,
      isResponse: head.kind === 'response',
      requestMethod: head.kind === 'request' ? head.method : request?.head.method,
      requestTarget: head.kind === 'request' ? head.target : request?.head.target,
    });
    if (spooledView) dec = { ...dec, cab: spooledView };
    else if (isCab(data)) dec = { ...dec, cab: cabViews.get(message) ?? parseCabView(data) };
    if (id === undefined) ids.set(message, (id = ++lastId));
    recent[nextSlot] = { id, dec };
    nextSlot = (nextSlot + 1) % DECODE_CACHE_SIZE;
  }
  return dec;
}
