// The exact wire bytes of each message are reachable from the model: a chunked message carries
// them (`wire`), any other is its head and body; live and offline, split anywhere.
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { wireBytes } from '../../../src/pipeline/http/wire-bytes.js';
import { WireWindow } from '../../../src/pipeline/wire-window.js';
import type { CaptureEvent, Exchange } from '../../../src/model.js';
import { makeConnection } from '../../helpers/factories.js';
import { readVector } from '../../helpers/paths.js';
import { splitEvery } from '../../helpers/net.js';

const BODY = readVector('level1-appcrash.body.xml');
const CHUNKED = Buffer.concat([
  Buffer.from('POST /stage2.htm HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 'latin1'),
  Buffer.from(`${(1000).toString(16)};ext=1\r\n`, 'latin1'), BODY.subarray(0, 1000), Buffer.from('\r\n'),
  Buffer.from(`${(BODY.length - 1000).toString(16)}\r\n`, 'latin1'), BODY.subarray(1000), Buffer.from('\r\n'),
  Buffer.from('0\r\nX-Trailer: 1\r\n\r\n', 'latin1'),
]);
const PLAIN = Buffer.concat([Buffer.from(`POST /stage2.htm HTTP/1.1\r\nContent-Length: ${BODY.length}\r\n\r\n`, 'latin1'), BODY]);
const ANSWER = readVector('level1-response-level2.http');

function record(layout: 'live' | 'offline', client: Buffer[], server: Buffer[] = []): Exchange[] {
  const done: Exchange[] = [];
  const sink = { event(ev: CaptureEvent) { if (ev.type === 'request') done.push(ev.exchange); }, async close() {} };
  const rec = new Recorder({ sinks: [sink] }).open(makeConnection(), { layout });
  for (const b of client) rec.push('client', b);
  for (const b of server) rec.push(layout === 'offline' ? 'client' : 'server', b);
  rec.close();
  return done;
}

describe('wire bytes from the model', () => {
  it('a chunked report keeps its exact bytes, chunk sizes and trailers included, however it was split', () => {
    for (const size of [1, 7, 4096, CHUNKED.length]) {
      const [a, b] = record('live', splitEvery(Buffer.concat([CHUNKED, PLAIN]), size));
      expect(a!.request!.body.data!.equals(BODY)).toBe(true);
      expect(a!.request!.wire!.equals(CHUNKED)).toBe(true);
      expect(wireBytes(a!.request!)!.equals(CHUNKED)).toBe(true);
      expect(b!.request!.wire).toBeUndefined(); // not chunked: its head and body are its bytes
      expect(wireBytes(b!.request!)!.equals(PLAIN)).toBe(true);
    }
  });

  it('offline (one stream holds both sides): the request and its answer each get their own bytes', () => {
    const [ex] = record('offline', [CHUNKED, ANSWER]);
    expect(wireBytes(ex!.request!)!.equals(CHUNKED)).toBe(true);
    expect(wireBytes(ex!.response!)!.equals(ANSWER)).toBe(true);
  });

  it('the window holds at most its limit and gives nothing it no longer holds', () => {
    const w = new WireWindow(10);
    w.push(Buffer.from('0123456789'));
    w.push(Buffer.from('abcdef'));
    expect(w.slice(0, 4)).toBeUndefined();
    expect(w.slice(10, 16)!.toString()).toBe('abcdef');
    w.drop(12);
    expect(w.slice(10, 16)!.toString()).toBe('abcdef'); // the chunk is still partly needed
    w.drop(16);
    expect(w.slice(12, 16)).toBeUndefined();
  });
});
