import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Chunk, ConnectionInfo, Sink } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { T0, makeConnection } from '../../helpers/factories.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

class ListSink implements Sink {
  readonly log: string[] = [];
  readonly chunks: Chunk[] = [];
  closed = 0;
  drain: Promise<void> | null = null;
  chunk(c: Chunk, conn: ConnectionInfo): void {
    this.chunks.push(c);
    this.log.push(`chunk ${conn.id} ${c.source} ${c.bytes.length}`);
  }
  event(e: CaptureEvent): void {
    this.log.push(e.type === 'problem' ? `problem ${e.problem.code}` : `${e.type} ${e.connection.id}`);
  }
  waitDrain(): Promise<void> | null {
    return this.drain;
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

const REQ = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi';
const RES = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

describe('Recorder', () => {
  test('events run open … close; chunks reach chunk-sinks before the events they complete', () => {
    const sink = new ListSink();
    let clock = T0;
    const rec = new Recorder({ sinks: [sink], now: () => ++clock });
    const c = rec.open(makeConnection({ id: 3 }));
    c.push('client', b(REQ));
    c.push('server', b(RES));
    c.close();
    expect(sink.log).toEqual([
      'open 3', `chunk 3 client ${REQ.length}`, 'request 3', `chunk 3 server ${RES.length}`, 'response 3', 'close 3',
    ]);
    expect(sink.chunks.map((ch) => [ch.connId, ch.ts])).toEqual([[3, T0 + 1], [3, T0 + 2]]);
    expect(c.connection.closedAt).toBe(T0 + 3);
  });

  test('the open event carries the connection time, chunk timestamps can be given', () => {
    const events: CaptureEvent[] = [];
    const rec = new Recorder({ sinks: [{ event: (e) => events.push(e), close: async () => {} }], now: () => 0 });
    const c = rec.open(makeConnection({ openedAt: T0 - 5 }));
    c.push('client', b(REQ), T0 + 40);
    c.close(undefined, T0 + 50);
    expect(events.map((e) => [e.type, e.ts])).toEqual([['open', T0 - 5], ['request', T0 + 40], ['close', T0 + 50]]);
  });

  test('totals and per-connection byte counts', () => {
    const sink = new ListSink();
    const rec = new Recorder({ sinks: [sink], now: () => T0 });
    const one = rec.open(makeConnection({ id: 1 }));
    const two = rec.open(makeConnection({ id: 2 }));
    one.push('client', b(REQ + REQ));
    one.push('server', b(RES));
    two.push('client', b('XYZ / HTTP/1.1\r\n\r\n'.replace('XYZ', '\x01\x02\x03')));
    two.push('client', Buffer.alloc(0)); // empty reads count for nothing
    one.close();
    two.close();
    expect(rec.totals).toEqual({
      connections: 2, requests: 2, responses: 1, problems: 1,
      bytesFromClient: REQ.length * 2 + 18, bytesFromServer: RES.length, refused: 0,
    });
    expect(one.connection).toMatchObject({ bytesFromClient: REQ.length * 2, bytesFromServer: RES.length });
    expect(two.connection).toMatchObject({ bytesFromClient: 18, bytesFromServer: 0 });
  });

  test('end() and close() are idempotent: a truncated body is reported once', () => {
    const sink = new ListSink();
    const rec = new Recorder({ sinks: [sink], now: () => T0 });
    const c = rec.open(makeConnection());
    c.push('client', b('POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc'));
    c.end('client');
    c.end('client');
    c.close('ECONNRESET');
    c.close();
    expect(sink.log.filter((l) => !l.startsWith('chunk'))).toEqual(['open 1', 'request 1', 'problem truncated-body', 'close 1']);
    expect(rec.totals.problems).toBe(1);
  });

  test('close reason reaches the close event', () => {
    const events: CaptureEvent[] = [];
    const rec = new Recorder({ sinks: [{ event: (e) => events.push(e), close: async () => {} }], now: () => T0 });
    rec.open(makeConnection()).close('ECONNRESET');
    expect(events.at(-1)).toMatchObject({ type: 'close', reason: 'ECONNRESET', ts: T0 });
  });

  test('hooks see events around the sinks: beforeEmit, sink, afterEmit', () => {
    const order: string[] = [];
    const rec = new Recorder({ sinks: [{ event: (e) => order.push(`sink ${e.type}`), close: async () => {} }], now: () => T0 });
    const c = rec.open(makeConnection(), {
      beforeEmit: (e) => order.push(`before ${e.type}`),
      afterEmit: (e) => order.push(`after ${e.type}`),
    });
    c.push('client', b(REQ));
    expect(order).toEqual(['sink open', 'before request', 'sink request', 'after request']);
  });

  test('backpressure() is null until a sink is backed up, then waits for all of them', async () => {
    const a = new ListSink();
    const z = new ListSink();
    const rec = new Recorder({ sinks: [a, z, { close: async () => {} }] });
    expect(rec.backpressure()).toBeNull();
    let releaseA!: () => void;
    let releaseZ!: () => void;
    a.drain = new Promise((r) => (releaseA = r));
    z.drain = new Promise((r) => (releaseZ = r));
    const wait = rec.backpressure();
    expect(wait).toBeInstanceOf(Promise);
    let done = false;
    void wait!.then(() => (done = true));
    releaseA();
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(false);
    releaseZ();
    await wait;
    expect(done).toBe(true);
  });

  test('close() closes every sink once', async () => {
    const a = new ListSink();
    const z = new ListSink();
    await new Recorder({ sinks: [a, z] }).close();
    expect([a.closed, z.closed]).toEqual([1, 1]);
  });
});

describe('a decoder failure', () => {
  test('is shown as a problem once, and the connection is still recorded byte for byte', () => {
    const sink = new ListSink();
    let calls = 0;
    const flaky: Sink = {
      event(e) {
        if (e.type === 'request' && calls++ === 0) throw new Error('boom');
      },
      async close() {},
    };
    const rec = new Recorder({ sinks: [sink, flaky], now: () => T0 });
    const conn = rec.open(makeConnection());
    conn.push('client', b(REQ), T0);
    conn.push('client', b(REQ), T0);
    conn.close(undefined, T0);
    expect(sink.log.filter((l) => l.startsWith('problem'))).toEqual(['problem decoder-error']);
    expect(Buffer.concat(sink.chunks.map((c) => c.bytes)).toString('latin1')).toBe(REQ + REQ);
    expect(conn.broken).toBe(true);
    expect(sink.log.at(-1)).toBe('close 1');
  });
});

describe('Recorder body checks', () => {
  // A text body with an escape sequence in it: a `control-characters` problem follows its request.
  const text = 'a note long enough to read as text, with a screen clear \x1b[2J hidden in it\n';
  const hostile = `POST /notes HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`;

  test('on by default: the problem follows the request event', () => {
    const sink = new ListSink();
    const rec = new Recorder({ sinks: [sink], now: () => T0 }).open(makeConnection());
    rec.push('client', b(hostile));
    expect(sink.log.filter((l) => !l.startsWith('chunk'))).toEqual(['open 1', 'request 1', 'problem control-characters']);
  });

  test('checkBodies: false (nothing shows decoded traffic): no body is inspected, the bytes still reach every sink', () => {
    const sink = new ListSink();
    const rec = new Recorder({ sinks: [sink], now: () => T0, checkBodies: false }).open(makeConnection());
    rec.push('client', b(hostile));
    expect(sink.log.filter((l) => !l.startsWith('chunk'))).toEqual(['open 1', 'request 1']);
    expect(Buffer.concat(sink.chunks.map((c) => c.bytes)).toString('latin1')).toBe(hostile);
  });
});
