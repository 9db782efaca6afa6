import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Direction, Exchange } from '../../../src/model.js';
import { ExchangeBuilder, MAX_UNANSWERED } from '../../../src/pipeline/http/exchange-builder.js';
import { T0, makeConnection } from '../../helpers/factories.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function setup(layout: 'live' | 'offline' = 'live', maxBodyBytes?: number) {
  const events: CaptureEvent[] = [];
  const heads: string[] = [];
  const pieces: [Direction, string][] = [];
  const builder = new ExchangeBuilder(makeConnection(), {
    layout, maxBodyBytes,
    emit: (e) => events.push(e),
    onRequestHead: (ex, head, offset) => heads.push(`${ex.seq} ${head.method} ${head.target} @${offset}`),
    onBodyData: (_ex, source, data) => pieces.push([source, data.toString('latin1')]),
  });
  /** `type seq` per event, e.g. `request 1`, `problem bad-status-line`. */
  const summary = () => events.map((e) =>
    e.type === 'request' || e.type === 'response' ? `${e.type} ${e.exchange.seq}`
    : e.type === 'problem' ? `problem ${e.problem.code}`
    : e.type === 'raw' ? `raw ${e.source}@${e.offset} ${JSON.stringify(e.bytes.toString('latin1'))}` : e.type);
  const exchanges = () => {
    const seen = new Set<Exchange>();
    for (const e of events) if (e.type === 'request' || e.type === 'response') seen.add(e.exchange);
    return [...seen].sort((x, y) => x.seq - y.seq);
  };
  return { builder, events, heads, pieces, summary, exchanges };
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: cer-lab.example.test\r\n\r\n`;
const OK = (body: string, reason = 'OK') => `HTTP/1.1 200 ${reason}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('ExchangeBuilder, live layout', () => {
  test('pipelined requests are paired with responses first in, first out', () => {
    const t = setup();
    t.builder.push('client', b(GET('/a') + GET('/b') + GET('/c')), T0);
    t.builder.push('server', b(OK('one', 'First') + OK('two', 'Second')), T0 + 10);
    t.builder.push('server', b(OK('three', 'Third')), T0 + 20);
    expect(t.summary()).toEqual(['request 1', 'request 2', 'request 3', 'response 1', 'response 2', 'response 3']);
    const n = GET('/a').length;
    expect(t.heads).toEqual([`1 GET /a @0`, `2 GET /b @${n}`, `3 GET /c @${2 * n}`]);
    const [a, bb, c] = t.exchanges();
    expect([a!.request!.head.target, a!.response!.head.reason, a!.response!.body.data!.toString()]).toEqual(['/a', 'First', 'one']);
    expect([bb!.request!.head.target, bb!.response!.head.reason]).toEqual(['/b', 'Second']);
    expect([c!.request!.head.target, c!.response!.head.reason, c!.response!.endTs]).toEqual(['/c', 'Third', T0 + 20]);
    expect(t.builder.unanswered).toEqual([]);
  });

  test('a request whose Content-Length is over the body limit keeps only its head bytes, whatever arrives', () => {
    const t = setup('live', 8);
    // Declared 16, only 6 arrive: under the limit, yet not kept, because the head said more.
    t.builder.push('client', b('PUT /x.cab HTTP/1.1\r\nContent-Length: 16\r\n\r\nabcdef'), T0);
    t.builder.end('client', T0 + 1);
    const body = t.exchanges()[0]!.request!.body;
    expect(body.data).toBeUndefined();
    expect([body.length, body.head.toString(), body.complete]).toEqual([6, 'abcdef', false]);
    // The same bytes declared within the limit are kept.
    const u = setup('live', 8);
    u.builder.push('client', b('PUT /x.cab HTTP/1.1\r\nContent-Length: 6\r\n\r\nabcdef'), T0);
    expect(u.exchanges()[0]!.request!.body.data!.toString()).toBe('abcdef');
  });

  test('a request without answer stays in unanswered', () => {
    const t = setup();
    t.builder.push('client', b(GET('/a') + GET('/b')), T0);
    t.builder.push('server', b(OK('')), T0 + 1);
    expect(t.builder.unanswered.map((e) => e.request!.head.target)).toEqual(['/b']);
  });

  test('100 Continue goes to interim, the final response to response', () => {
    const t = setup();
    const head = 'PUT /x.cab HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n';
    t.builder.push('client', b(head), T0);
    expect(t.heads).toEqual(['1 PUT /x.cab @0']); // the hook fires before any body byte
    t.builder.push('server', b('HTTP/1.1 100 Continue\r\n\r\n'), T0 + 1);
    // The 100 is an event of its own when it is sent, before the body has arrived.
    expect(t.summary()).toEqual(['interim']);
    t.builder.push('client', b('MSCF'), T0 + 2);
    t.builder.push('server', b(OK('')), T0 + 3);
    expect(t.summary()).toEqual(['interim', 'request 1', 'response 1']);
    const ex = t.exchanges()[0]!;
    expect(ex.interim.map((r) => `${r.head.status} ${r.head.reason}`)).toEqual(['100 Continue']);
    expect(ex.response!.head.status).toBe(200);
    expect(ex.request!.body.data!.toString()).toBe('MSCF');
    expect(t.pieces).toEqual([['client', 'MSCF']]);
  });

  test('a response that arrives before the request body ends answers that request', () => {
    const t = setup();
    t.builder.push('client', b('PUT /big HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345'), T0);
    t.builder.push('server', b('HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n'), T0 + 1);
    expect(t.summary()).toEqual(['response 1']);
    t.builder.push('client', b('67890'), T0 + 2);
    t.builder.push('client', b(GET('/next')), T0 + 3);
    expect(t.summary()).toEqual(['response 1', 'request 1', 'request 2']);
    const ex = t.exchanges()[0]!;
    expect(ex.response!.head.status).toBe(413);
    expect(ex.request!.body.data!.toString()).toBe('1234567890');
    expect(t.builder.unanswered.map((e) => e.seq)).toEqual([2]);
  });

  test('a HEAD response has no body even with Content-Length; the next response frames right', () => {
    const t = setup();
    t.builder.push('client', b('HEAD /a HTTP/1.1\r\n\r\n' + GET('/b')), T0);
    t.builder.push('server', b('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + OK('bee')), T0 + 1);
    const [head, get] = t.exchanges();
    expect(head!.response!.body.length).toBe(0);
    expect(head!.response!.body.framing).toBe('none');
    expect(get!.response!.body.data!.toString()).toBe('bee');
    expect(t.summary()).toEqual(['request 1', 'request 2', 'response 1', 'response 2']);
  });

  test('a bad response between messages is a problem of the request it answers, then raw', () => {
    const t = setup();
    t.builder.push('client', b(GET('/a') + GET('/b')), T0);
    t.builder.push('server', b('XTTP/1.1 200 OK\r\n\r\n'), T0 + 1);
    t.builder.end('server', T0 + 2);
    expect(t.summary()).toEqual(['request 1', 'request 2', 'problem bad-status-line', 'raw server@0 "XTTP/1.1 200 OK\\r\\n\\r\\n"']);
    const [a, bb] = t.exchanges();
    expect(a!.problems.map((p) => p.code)).toEqual(['bad-status-line']);
    expect(bb!.problems).toEqual([]);
  });

  test('a truncated request body is a problem of that exchange; the request ends incomplete', () => {
    const t = setup();
    t.builder.push('client', b(GET('/a')), T0);
    t.builder.push('client', b('POST /stage2.htm HTTP/1.1\r\nContent-Length: 8\r\n\r\nabc'), T0 + 1);
    t.builder.end('client', T0 + 2);
    // A problem about a request follows that request's event (wire order as people read it).
    expect(t.summary()).toEqual(['request 1', 'request 2', 'problem truncated-body']);
    const [a, post] = t.exchanges();
    expect(a!.problems).toEqual([]);
    expect(post!.problems).toMatchObject([{ code: 'truncated-body', source: 'client' }]);
    expect(post!.request!.body).toMatchObject({ complete: false, length: 3 });
  });

  test('garbage after a request: the problem goes to that request, the bytes come back raw', () => {
    const t = setup();
    const first = GET('/a');
    t.builder.push('client', b(first + '\x16\x03\x01\x02\x00'), T0);
    t.builder.push('client', b('more'), T0 + 1);
    t.builder.end('client', T0 + 2);
    expect(t.summary()[0]).toBe('request 1');
    expect(t.summary()[1]).toMatch(/^problem /);
    const raws = t.events.filter((e) => e.type === 'raw');
    expect(Buffer.concat(raws.map((e) => (e as { bytes: Buffer }).bytes)).toString('latin1')).toBe('\x16\x03\x01\x02\x00more');
    expect(raws.map((e) => (e as { offset: number }).offset)).toEqual([first.length, first.length + 5]);
    expect(t.exchanges()[0]!.problems).toHaveLength(1);
  });

  test('request and response messages carry exact offsets and timestamps', () => {
    const t = setup();
    const req = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi';
    t.builder.push('client', b(GET('/a')), T0);
    t.builder.push('client', b(req), T0 + 7);
    const ex = t.exchanges()[1]!;
    expect(ex.request).toMatchObject({ start: GET('/a').length, end: GET('/a').length + req.length, startTs: T0 + 7, endTs: T0 + 7 });
    expect(ex.request!.head.raw.toString('latin1')).toBe(req.slice(0, -2));
  });
});

describe('ExchangeBuilder, offline layout', () => {
  const post = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody';
  const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nBucket=1\r\n';

  test('request, response, request back to back in one stream are paired', () => {
    const t = setup('offline');
    t.builder.push('client', b(post + answer + post), T0);
    t.builder.end('client', T0 + 1);
    expect(t.summary()).toEqual(['request 1', 'response 1', 'request 2']);
    const [one, two] = t.exchanges();
    expect(one!.response!.body.data!.toString()).toBe('Bucket=1\r\n');
    expect(two!.response).toBeUndefined();
    expect(t.builder.unanswered.map((e) => e.seq)).toEqual([2]);
  });

  test('the same stream split at every offset gives the same exchanges', () => {
    const all = b(post + answer + post);
    for (let i = 1; i < all.length; i++) {
      const t = setup('offline');
      t.builder.push('client', all.subarray(0, i), T0);
      t.builder.push('client', all.subarray(i), T0);
      t.builder.end('client', T0);
      expect(t.summary()).toEqual(['request 1', 'response 1', 'request 2']);
    }
  });

  test('a client-only capture does not keep every request: the oldest unanswered are let go', () => {
    const t = setup('offline');
    for (let i = 1; i <= MAX_UNANSWERED + 10; i++) t.builder.push('client', b(GET(`/${i}`)), T0);
    expect(t.builder.unanswered).toHaveLength(MAX_UNANSWERED);
    expect(t.builder.unanswered[0]!.request!.head.target).toBe('/11');
    t.builder.push('client', b(answer), T0);
    expect(t.exchanges().find((e) => e.response)!.request!.head.target).toBe('/11');
  });

  test('a response-only file gives a response without request', () => {
    const t = setup('offline');
    t.builder.push('client', b(answer), T0);
    t.builder.end('client', T0 + 1);
    expect(t.summary()).toEqual(['response 1']);
    const ex = t.exchanges()[0]!;
    expect(ex.request).toBeUndefined();
    expect(ex.response!.head.status).toBe(200);
    expect(ex.connection.id).toBe(1);
  });

  test('a HEAD request followed (in a later read) by its response: no body is read', () => {
    const t = setup('offline');
    t.builder.push('client', b('HEAD / HTTP/1.1\r\n\r\n'), T0);
    t.builder.push('client', b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + GET('/x')), T0);
    t.builder.end('client', T0);
    expect(t.summary()).toEqual(['request 1', 'response 1', 'request 2']);
    expect(t.exchanges()[0]!.response!.body.length).toBe(0);
  });
});

describe('ExchangeBuilder, bodies kept in part', () => {
  test('the judge is asked about request bodies over 1 MiB only, never about a response', () => {
    const asked: string[] = [];
    const events: CaptureEvent[] = [];
    const builder = new ExchangeBuilder(makeConnection(), {
      layout: 'live', emit: (e) => events.push(e),
      bodyKeep: (head, first) => (asked.push(`${head.method} ${head.target} ${first.length}`), 65_536),
    });
    const big = Buffer.alloc(2 * 1024 * 1024, 0x62);
    builder.push('client', b(`POST /small HTTP/1.1\r\nContent-Length: 5\r\n\r\nsmall`), T0);
    builder.push('client', Buffer.concat([b(`POST /big HTTP/1.1\r\nContent-Length: ${big.length}\r\n\r\n`), big]), T0);
    builder.push('server', Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall`), b(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]), T0);
    expect(asked).toEqual(['POST /big 65536']);
    const exchanges = events.filter((e) => e.type === 'response').map((e) => (e as Extract<CaptureEvent, { type: 'response' }>).exchange);
    expect(exchanges.map((x) => [x.request!.body.data?.length, x.request!.body.headOnly, x.response!.body.data?.length]))
      .toEqual([[5, undefined, 5], [undefined, true, big.length]]);
  });
});
