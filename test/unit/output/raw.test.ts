import { describe, expect, test } from 'vitest';
import { Writable } from 'node:stream';
import type { Direction } from '../../../src/model.js';
import { RawSink } from '../../../src/sinks/raw.js';
import { MemoryStream } from '../../helpers/streams.js';
import { T0, makeConnection } from '../../helpers/factories.js';

function harness(source?: Direction, endOut = false) {
  const out = new MemoryStream();
  const sink = new RawSink(out, source, endOut);
  const open = (id: number) => sink.event({ type: 'open', ts: T0, connection: makeConnection({ id }) });
  const close = (id: number) => sink.event({ type: 'close', ts: T0, connection: makeConnection({ id }) });
  const send = (id: number, s: string, src: Direction = 'client') =>
    sink.chunk({ connId: id, source: src, ts: T0, bytes: Buffer.from(s, 'latin1') }, makeConnection({ id }));
  return { out, sink, open, close, send, text: () => out.buffer.toString('latin1') };
}

describe('RawSink', () => {
  test('one connection streams its client bytes exactly', () => {
    const h = harness();
    h.open(1);
    h.send(1, 'POST /stage2.htm HTTP/1.1\r\n');
    h.send(1, '\x00\xff\r\n');
    expect(h.out.buffer).toEqual(Buffer.from('POST /stage2.htm HTTP/1.1\r\n\x00\xff\r\n', 'latin1'));
  });

  test('server-direction chunks are ignored by a client sink, and the reverse', () => {
    const h = harness();
    h.open(1);
    h.send(1, 'req');
    h.send(1, 'HTTP/1.1 200 OK', 'server');
    expect(h.text()).toBe('req');
    const s = harness('server');
    s.open(1);
    s.send(1, 'req');
    s.send(1, 'res', 'server');
    expect(s.text()).toBe('res');
  });

  test('overlapping connections stay contiguous: later ones wait until the first closes', () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.send(1, 'A1');
    h.send(2, 'B1');
    h.send(1, 'A2');
    h.send(2, 'B2');
    expect(h.text()).toBe('A1A2');
    h.close(1);
    expect(h.text()).toBe('A1A2B1B2');
    h.send(2, 'B3'); // now the owner: streams straight through
    expect(h.text()).toBe('A1A2B1B2B3');
  });

  test('queued connections follow in open order, including ones that already closed', () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.open(3);
    h.send(1, 'a');
    h.send(3, 'c');
    h.send(2, 'b');
    h.close(3);
    expect(h.text()).toBe('a');
    h.close(1);
    expect(h.text()).toBe('ab'); // 2 is flushed and owns the stream; closed 3 waits behind it
    h.send(2, 'B');
    expect(h.text()).toBe('abB');
    h.close(2);
    expect(h.text()).toBe('abBc');
    h.open(4);
    h.send(4, 'd');
    expect(h.text()).toBe('abBcd');
  });

  test('a later connection still open after the owner closes keeps waiting behind the next', () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.open(3);
    h.send(1, 'a');
    h.send(2, 'b');
    h.send(3, 'c');
    h.close(1);
    expect(h.text()).toBe('ab');
    h.send(3, 'C');
    h.send(2, 'B');
    expect(h.text()).toBe('abB');
    h.close(2);
    expect(h.text()).toBe('abBcC');
  });

  test('connections that close without sending a byte do not block the stream', () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.close(1);
    h.send(2, 'x');
    expect(h.text()).toBe('x');
    h.open(3);
    h.close(3);
    h.close(2);
    h.open(4);
    h.send(4, 'y');
    expect(h.text()).toBe('xy');
  });

  test('the first connection to send streams even if an older one is still silent', () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.send(2, 'B');
    h.send(1, 'A');
    expect(h.text()).toBe('B');
    h.close(2);
    expect(h.text()).toBe('BA');
  });

  test('close() writes the bytes of connections still open, in open order', async () => {
    const h = harness();
    h.open(1);
    h.open(2);
    h.open(3);
    h.send(1, 'a');
    h.send(3, 'c');
    h.send(2, 'b');
    await h.sink.close();
    expect(h.text()).toBe('abc');
    expect(h.out.writableEnded).toBe(false);
  });

  test('with endOut, close() ends the stream after the last byte', async () => {
    const h = harness('client', true);
    h.open(1);
    h.send(1, 'z');
    await h.sink.close();
    expect(h.out.writableFinished).toBe(true);
    expect(h.text()).toBe('z');
  });

  test('waitDrain() is null unless the stream is backed up', async () => {
    let release!: () => void;
    const slow = new Writable({ highWaterMark: 4, write(_c, _e, cb) { release = () => cb(); } });
    const sink = new RawSink(slow);
    expect(sink.waitDrain()).toBeNull();
    sink.event({ type: 'open', ts: T0, connection: makeConnection() });
    sink.chunk({ connId: 1, source: 'client', ts: T0, bytes: Buffer.from('12345678') }, makeConnection());
    const wait = sink.waitDrain();
    expect(wait).toBeInstanceOf(Promise);
    release();
    await wait;
  });
});
