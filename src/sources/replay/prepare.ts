// Frames each request of a ReplaySource once before sending: its head length (for
// `Expect: 100-continue`, where the body waits for the server's go-ahead) and the Exchange that
// `--filter` is evaluated on. Requests the filter rejects on their own fields are dropped; those
// whose verdict needs the response are kept (the view filters their answers). Pure.
import type { ConnectionInfo, Exchange } from '../../model.js';
import { ExchangeBuilder } from '../../pipeline/http/exchange-builder.js';
import { headerValue } from '../../domain/body/views.js';
import type { Filter } from '../../analysis/filter/parse.js';
import { evaluateFilter } from '../../analysis/filter/evaluate.js';
import type { ReplaySource } from './source.js';

export interface PreparedRequest {
  bytes: Buffer;
  /** Bytes of the head (request line to blank line). */
  headLength: number;
  /** `Expect: 100-continue` with a body: send the head, wait for 100 (or about a second). */
  expectContinue: boolean;
  /** `METHOD target`, for messages. */
  label: string;
}

export interface PreparedConnection {
  name: string;
  requests: PreparedRequest[];
}

export function prepareRequests(source: ReplaySource, filter?: Filter): { connections: PreparedConnection[]; skipped: number } {
  let skipped = 0;
  const connections: PreparedConnection[] = [];
  for (const conn of source.connections) {
    const requests: PreparedRequest[] = [];
    for (const bytes of conn.requests) {
      const ex = frameRequest(bytes);
      const req = ex?.request;
      if (!ex || !req) {
        skipped++;
        continue;
      }
      if (filter && evaluateFilter(filter, { connection: ex.connection, exchange: ex, final: false }) === false) {
        skipped++;
        continue;
      }
      const expect = headerValue(req.head.headers, 'expect')?.trim().toLowerCase() === '100-continue';
      requests.push({
        bytes,
        headLength: req.head.raw.length,
        expectContinue: expect && bytes.length > req.head.raw.length,
        label: `${req.head.method} ${req.head.target}`,
      });
    }
    if (requests.length) connections.push({ name: conn.name, requests });
  }
  return { connections, skipped };
}

/** The first request framed from `bytes`, with a stand-in connection (the capture's). */
function frameRequest(bytes: Buffer): Exchange | undefined {
  const connection: ConnectionInfo = { id: 0, peer: 'capture', local: 'capture', openedAt: 0, bytesFromClient: 0, bytesFromServer: 0 };
  let found: Exchange | undefined;
  const builder = new ExchangeBuilder(connection, {
    layout: 'live',
    emit: (ev) => {
      if (ev.type === 'request' && !found) found = ev.exchange;
    },
  });
  builder.push('client', bytes, 0);
  builder.end('client', 0);
  return found;
}
