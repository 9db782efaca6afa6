// How long a message's decoding (HttpMessage.decoded) stays on it after its event. A decoding
// (a report's text, XML tree and fields: ~15 KB) is kept while its exchange is in flight: from
// the request's event to its response's, whose outputs read the request's decoding again (HAR,
// the filter, the one-line view). Once the connection moved on (its next event), it is let
// go: an exchange the builder keeps waiting for an answer that never comes (a client-only
// capture keeps 64) would otherwise hold it long enough to be promoted, and the collector pays
// for every report. Asked for again, it is decoded again, to the same result. A CAB's decoding
// is kept: it holds the worker's summary.
import type { Exchange, HttpMessage } from '../model.js';
import type { MessageDecoding } from '../domain/body/message.js';

export class KeptDecodings {
  /** Messages of one connection whose decoding is still kept for the exchange's next event. */
  private kept: HttpMessage[] = [];

  /** The `type` event of `ex` was delivered: what came before lets go of its decoding. */
  settle(type: 'request' | 'response', ex: Exchange): void {
    const keep = type === 'response' ? ex.request : undefined;
    for (const m of this.kept) if (m !== keep && !(m.decoded as MessageDecoding | undefined)?.cab) m.decoded = undefined;
    this.kept = [];
    if (keep) this.kept.push(keep);
    const msg = type === 'request' ? ex.request : ex.response;
    if (msg) this.kept.push(msg);
  }
}
