// The decoded view of an HTTP message's body, computed once per message and kept on it
// (`HttpMessage.decoded`, model.ts): the pipeline decodes each message as its event is made,
// and the responder, the checks, the conversation tracker and every output read that one
// decoding. Asked before the pipeline decoded it (a test, an output run without the pipeline),
// it is decoded then, and kept the same way.
import type { Body, HttpMessage, MessageHead, Request } from '../../model.js';
import { decodeBody, type BodyContext, type BodyDecoding } from './views.js';
import { isCab, parseCabView, type CabView } from '../cab/cab-view.js';

/** A body's decoding, plus the CAB's contents when the body is a cabinet (level 2). */
export type MessageDecoding = BodyDecoding & { cab?: CabView };

/** CAB views that came back from the worker before the message was decoded (see rememberCabView). */
const pendingCabViews = new WeakMap<HttpMessage, CabView>();

/** A CAB view computed elsewhere (the CAB worker, pipeline/workers/cab-offload.ts) for this
 * message: a CAB is inflated once, and its decoding carries that view. */
export function rememberCabView(message: HttpMessage, view: CabView): void {
  const dec = message.decoded as MessageDecoding | undefined;
  if (dec) dec.cab = view;
  else pendingCabViews.set(message, view);
}

/** Whether `message` was decoded already (its decoding is kept on it). */
export function isDecoded(message: HttpMessage): boolean {
  return message.decoded !== undefined;
}

/** The decoding of `message`'s body, made on first ask and kept on the message; `request` is
 * what it answers (responses only: a level-1 answer is told by the request it answers). */
export function decodedOf(message: HttpMessage, request?: Request): MessageDecoding {
  const kept = message.decoded as MessageDecoding | undefined;
  if (kept) return kept;
  const dec = decodeMessageBody(message, request);
  message.decoded = dec;
  return dec;
}

/** Decodes without keeping the result (decodedOf keeps it). */
export function decodeMessageBody(message: HttpMessage, request?: Request): MessageDecoding {
  const body = message.body;
  // A spooled upload (not kept in memory) is decoded from its first bytes and its CAB view; a
  // body kept in part from the part kept, as a body of its whole length (keep-whole.ts).
  const spooledView = body.data === undefined ? pendingCabViews.get(message) : undefined;
  const data = heldBytes(body) ?? (spooledView ? body.head : Buffer.alloc(0));
  const dec: MessageDecoding = decodeBody(data, bodyContext(message.head, request), body.headOnly ? body.length : data.length);
  if (spooledView || isCab(data)) {
    dec.cab = spooledView ?? pendingCabViews.get(message) ?? parseCabView(data);
    pendingCabViews.delete(message);
  }
  return dec;
}

/** The bytes of a body held in memory, which its decoding is made of: all of them, or the
 * part kept (`headOnly`); undefined when not held (over --max-body-bytes, or spooled). */
export function heldBytes(body: Body): Buffer | undefined {
  return body.data ?? (body.headOnly ? body.head : undefined);
}

/** What the decoders are told about a message's body. */
export function bodyContext(head: MessageHead, request?: Request): BodyContext {
  return {
    headers: head.headers,
    isResponse: head.kind === 'response',
    requestMethod: head.kind === 'request' ? head.method : request?.head.method,
    requestTarget: head.kind === 'request' ? head.target : request?.head.target,
  };
}

/** The kept decoding when the pipeline made one, else a decoding made now and not kept: for
 * readers that come back to old messages (the web inspector's history), so asking about many
 * of them holds no decoding beyond the answer. */
export function transientDecodingOf(message: HttpMessage, request?: Request): MessageDecoding {
  return (message.decoded as MessageDecoding | undefined) ?? decodeMessageBody(message, request);
}
