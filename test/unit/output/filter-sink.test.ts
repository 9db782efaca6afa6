import { describe, expect, test } from 'vitest';
import { FilterSink, MAX_WAITING } from '../../../src/sinks/filter-sink.js';
import { parseFilter } from '../../../src/analysis/filter/parse.js';
import type { CaptureEvent, ConnectionInfo, Exchange, Sink } from '../../../src/model.js';
import { makeConnection, makeRequest, makeResponse, T0 } from '../../helpers/factories.js';

/** Records what reaches the wrapped sink as short strings. */
function recorder(): Sink & { seen: string[]; closed: boolean } {
  const sink = {
    seen: [] as string[],
    closed: false,
    event(ev: CaptureEvent) {
      const ex = 'exchange' in ev ? `:${ev.exchange.request?.head.method ?? '-'}${ev.exchange.seq}` : '';
      sink.seen.push(`${ev.connection.id}:${ev.type}${ex}`);
    },
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}

function conn(id: number): ConnectionInfo {
  return makeConnection({ id });
}

function exchange(c: ConnectionInfo, seq: number, method: string): Exchange {
  return { seq, connection: c, request: makeRequest(method, `/x${seq}`), interim: [], problems: [] };
}

const open = (c: ConnectionInfo): CaptureEvent => ({ type: 'open', ts: T0, connection: c });
const close = (c: ConnectionInfo): CaptureEvent => ({ type: 'close', ts: T0, connection: c });
const request = (ex: Exchange): CaptureEvent => ({ type: 'request', ts: T0, connection: ex.connection, exchange: ex });
function response(ex: Exchange, status: number): CaptureEvent {
  ex.response = makeResponse(status, 'X');
  return { type: 'response', ts: T0, connection: ex.connection, exchange: ex };
}
const problem = (c: ConnectionInfo, code: string): CaptureEvent => ({ type: 'problem', ts: T0, connection: c, problem: { code, source: 'client', offset: 0, message: code } });
const raw = (c: ConnectionInfo): CaptureEvent => ({ type: 'raw', ts: T0, connection: c, source: 'client', offset: 0, bytes: Buffer.from('x') });

describe('FilterSink', () => {
  test('request-only filters decide at once; unmatched connections vanish whole', async () => {
    const out = recorder();
    const f = new FilterSink(parseFilter('method=PUT'), [out]);
    const [a, b] = [conn(1), conn(2)];
    const a1 = exchange(a, 1, 'POST');
    const a2 = exchange(a, 2, 'PUT');
    const b1 = exchange(b, 1, 'POST');
    for (const ev of [open(a), open(b), request(a1), response(a1, 200), request(b1), request(a2), response(b1, 200), response(a2, 200), close(b), close(a)]) f.event(ev);
    await f.close();
    expect(out.seen).toEqual(['1:open', '1:request:PUT2', '1:response:PUT2', '1:close']);
    expect(f.shownExchanges).toBe(1);
    expect(f.describe()).toBe('--filter showed 1 of 3 exchanges');
    expect(out.closed).toBe(true);
  });

  test('a response filter holds the request and shows it with its response', () => {
    const out = recorder();
    const f = new FilterSink(parseFilter('status>=400'), [out]);
    const c = conn(1);
    const e1 = exchange(c, 1, 'POST');
    const e2 = exchange(c, 2, 'PUT');
    f.event(open(c));
    f.event(request(e1));
    expect(out.seen).toEqual([]);
    f.event(response(e1, 200));
    f.event(request(e2));
    expect(out.seen).toEqual([]);
    f.event(response(e2, 404));
    expect(out.seen).toEqual(['1:open', '1:request:PUT2', '1:response:PUT2']);
  });

  test('a request never answered is decided at close (response fields absent)', async () => {
    const out = recorder();
    const f = new FilterSink(parseFilter('not status=200'), [out]);
    const c = conn(3);
    const e1 = exchange(c, 1, 'PUT');
    f.event(open(c));
    f.event(request(e1));
    f.event(close(c));
    expect(out.seen).toEqual(['3:open', '3:request:PUT1', '3:close']);
    // Still waiting at close() of the sink: decided then.
    const g = new FilterSink(parseFilter('not response'), [out]);
    out.seen.length = 0;
    g.event(open(c));
    g.event(request(exchange(c, 1, 'POST')));
    await g.close();
    expect(out.seen).toEqual(['3:open', '3:request:POST1']);
  });

  test('problems and raw bytes: held until the connection is shown, or shown by matching themselves', () => {
    const out = recorder();
    const f = new FilterSink(parseFilter('method=PUT or problem=tls-client-hello'), [out]);
    const [a, b, c] = [conn(1), conn(2), conn(3)];
    const a1 = exchange(a, 1, 'PUT');
    f.event(open(a));
    f.event(problem(a, 'bad-chunk-size'));
    f.event(raw(a));
    f.event(request(a1));
    f.event(raw(a));
    f.event(close(a));
    f.event(open(b));
    f.event(problem(b, 'tls-client-hello'));
    f.event(raw(b));
    f.event(close(b));
    f.event(open(c));
    f.event(problem(c, 'bad-request-line'));
    f.event(raw(c));
    f.event(close(c));
    expect(out.seen).toEqual([
      '1:open', '1:problem', '1:raw', '1:request:PUT1', '1:raw', '1:close',
      '2:open', '2:problem', '2:raw', '2:close',
    ]);
  });

  test(`at most ${MAX_WAITING} requests wait per connection; older ones are decided as unanswered`, () => {
    const out = recorder();
    const f = new FilterSink(parseFilter('not response'), [out]);
    const c = conn(1);
    f.event(open(c));
    for (let i = 1; i <= MAX_WAITING + 2; i++) f.event(request(exchange(c, i, 'POST')));
    expect(out.seen).toEqual(['1:open', '1:request:POST1', '1:request:POST2']);
  });
});
