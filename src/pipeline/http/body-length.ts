// Decides how a message body is delimited, following RFC 9112 §6.3 step by step (the steps are
// named below). It only reads the head (and, for a response, the method it answers); it does
// not read any body bytes, and it is tolerant where the RFC allows: Transfer-Encoding overrides
// Content-Length instead of rejecting the message.
import type { MessageHead } from '../../model.js';
import { formatExcerpt, getHeaderList, isHeaderName } from './head.js';

export type BodyLength =
  | { kind: 'none' }
  | { kind: 'content-length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'until-close' }
  /** The connection stops being HTTP after this message (CONNECT 2xx, 101): the rest is raw. */
  | { kind: 'tunnel' }
  | {
      kind: 'problem';
      code: 'bad-content-length' | 'bad-transfer-encoding';
      message: string;
      /** Index in `head.headers` of the offending header. */
      headerIndex: number;
    };

const DIGITS = /^\d+$/;

/** `name` is lower case. */
function indexOf(head: MessageHead, name: string): number {
  return head.headers.findIndex((h) => isHeaderName(h[0], name));
}

/** `requestMethod`: for a response, the method of the request it answers (default GET). */
export function decideBodyLength(head: MessageHead, requestMethod = 'GET'): BodyLength {
  if (head.kind === 'response') {
    const { status } = head;
    // RFC 9110 §15.2.2: after 101 Switching Protocols the connection speaks another protocol.
    if (status === 101) return { kind: 'tunnel' };
    // Step 1: HEAD responses and 1xx/204/304 end at the end of the head.
    if (requestMethod.toUpperCase() === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) {
      return { kind: 'none' };
    }
    // Step 2: a 2xx answer to CONNECT turns the connection into a tunnel.
    if (requestMethod.toUpperCase() === 'CONNECT' && status >= 200 && status < 300) return { kind: 'tunnel' };
  }

  // Step 3: with both Transfer-Encoding and Content-Length, TE wins (tolerant: we don't reject
  // the mix, since TE framing is what the peer follows).
  // Step 4: TE with chunked as the final coding → chunked.
  const teAt = indexOf(head, 'transfer-encoding');
  if (teAt >= 0) {
    const codings = getHeaderList(head.headers, 'transfer-encoding').map((c) => c.split(';')[0]!.trim().toLowerCase());
    const chunkedAt = codings.indexOf('chunked');
    if (chunkedAt >= 0 && chunkedAt === codings.length - 1) return { kind: 'chunked' };
    // Step 4 (response): no final chunked → read until the connection closes.
    if (head.kind === 'response') return { kind: 'until-close' };
    // Step 4 (request): the length can't be determined → 400 in a server; a problem for us.
    const seen = getHeaderList(head.headers, 'transfer-encoding').join(', ');
    return {
      kind: 'problem',
      code: 'bad-transfer-encoding',
      message: `expected a request Transfer-Encoding ending in "chunked", saw ${formatExcerpt(Buffer.from(seen, 'latin1'))}`,
      headerIndex: teAt,
    };
  }

  // Steps 5 and 6: Content-Length; invalid → error. A list of identical values counts as one
  // value (RFC 9110 §8.6).
  const clAt = indexOf(head, 'content-length');
  if (clAt >= 0) {
    let length: number | undefined;
    for (let i = clAt; i < head.headers.length; i++) {
      const header = head.headers[i]!;
      if (!isHeaderName(header[0], 'content-length')) continue;
      const value = header[1];
      const parts = DIGITS.test(value) ? [value] : value.split(',').map((s) => s.trim());
      for (const part of parts) {
        const bad = (why: string): BodyLength => ({
          kind: 'problem',
          code: 'bad-content-length',
          message: `${why}, saw ${formatExcerpt(Buffer.from(value, 'latin1'))}`,
          headerIndex: i,
        });
        if (!DIGITS.test(part)) return bad('expected Content-Length to be decimal digits');
        const n = Number(part);
        if (!Number.isSafeInteger(n)) return bad('expected a Content-Length below 2^53');
        if (length !== undefined && n !== length) return bad(`expected every Content-Length to equal ${length}`);
        length = n;
      }
    }
    return { kind: 'content-length', length: length! };
  }

  // Step 7: a request with neither has no body.
  if (head.kind === 'request') return { kind: 'none' };
  // Step 8: a response with neither is read until the connection closes.
  return { kind: 'until-close' };
}
