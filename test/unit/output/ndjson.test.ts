import { describe, expect, test } from 'vitest';
import type { CaptureEvent } from '../../../src/model.js';
import { NdjsonSink, toJsonEvents } from '../../../src/sinks/ndjson.js';
import { MemoryStream } from '../../helpers/streams.js';
import { readVector } from '../../helpers/paths.js';
import { T0, makeBody, makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';

const conn = makeConnection({ id: 4, bytesFromClient: 100, bytesFromServer: 20, upstream: 'cer.example.test:1273' });
const TS = '2024-05-14T09:26:54.000Z';
const body = readVector('level1-appcrash.body.xml');
const cab = readVector('sample-report-mszip.cab');
/** Every line must survive JSON (no bigint, no Buffer, no cycles). */
const roundTrip = (ev: CaptureEvent) => toJsonEvents(ev).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

describe('toJsonEvents', () => {
  test('open and close', () => {
    expect(roundTrip({ type: 'open', ts: T0, connection: conn })).toEqual([
      { type: 'open', ts: TS, conn: 4, peer: '192.0.2.7:49731', local: '127.0.0.1:1273', upstream: 'cer.example.test:1273' },
    ]);
    expect(roundTrip({ type: 'close', ts: T0 + 1, connection: conn, reason: 'ECONNRESET' })).toEqual([
      { type: 'close', ts: '2024-05-14T09:26:54.001Z', conn: 4, reason: 'ECONNRESET', bytesFromClient: 100, bytesFromServer: 20 },
    ]);
  });

  test('problem and raw (raw bytes as base64, exactly)', () => {
    expect(roundTrip({ type: 'problem', ts: T0, connection: conn, problem: { code: 'truncated-body', source: 'client', offset: 9, message: 'm' } }))
      .toEqual([{ type: 'problem', ts: TS, conn: 4, code: 'truncated-body', source: 'client', offset: 9, message: 'm' }]);
    const bytes = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff]);
    const [raw] = roundTrip({ type: 'raw', ts: T0, connection: conn, source: 'server', offset: 77, bytes });
    expect(raw).toEqual({ type: 'raw', ts: TS, conn: 4, source: 'server', offset: 77, length: 5, base64: 'FgMBAP8=' });
    expect(Buffer.from(raw!.base64 as string, 'base64')).toEqual(bytes);
  });

  test('a level-1 request is followed by its report line; the request line does not repeat it', () => {
    const ex = makeExchange({ seq: 3, connection: conn, reportId: 'r2', request: makeRequest('POST', '/stage2.htm', body, [['Content-Length', String(body.length)]], { start: 512 }) });
    const lines = roundTrip({ type: 'request', ts: T0, connection: conn, exchange: ex });
    expect(lines.map((l) => l.type)).toEqual(['request', 'report']);
    const [req, rep] = lines;
    expect(req).toMatchObject({
      type: 'request', ts: TS, conn: 4, seq: 3, reportId: 'r2', method: 'POST', target: '/stage2.htm', version: 'HTTP/1.1',
      headers: [['Content-Length', String(body.length)]], offset: 512,
      body: { length: body.length, complete: true, framing: 'content-length', kind: 'wer-report', charset: 'utf-16le' },
    });
    expect((req!.body as Record<string, unknown>).report).toBeUndefined();
    expect((req!.body as { text: string }).text).toMatch(/^<\?xml version="1.0" encoding="UTF-16"\?>/);
    expect(rep).toMatchObject({
      type: 'report', ts: TS, conn: 4, seq: 3, reportId: 'r2',
      report: { machine: { name: 'WKS-0042.lab.example.test' }, user: 'LAB\\jdoe', event: { eventType: 'APPCRASH' } },
    });
  });

  test('other requests have no report line', () => {
    const ex = makeExchange({ connection: conn, request: makeRequest('GET', '/', '', []) });
    const lines = roundTrip({ type: 'request', ts: T0, connection: conn, exchange: ex });
    expect(lines).toEqual([{
      type: 'request', ts: TS, conn: 4, seq: 1, method: 'GET', target: '/', version: 'HTTP/1.1', headers: [], offset: 0,
      body: expect.objectContaining({ length: 0, kind: 'empty' }),
    }]);
  });

  test('a response: status, interim answers, latency and the level-1 answer decoded', () => {
    const text = 'Bucket=1\r\nBucketTable=2\r\niData=0\r\n';
    const ex = makeExchange({
      connection: conn, reportId: 'r1',
      request: makeRequest('POST', '/stage2.htm', body, undefined, { endTs: T0 + 5 }),
      interim: [makeResponse(100, 'Continue', '', [])],
      response: makeResponse(200, 'OK', text, [['Content-Length', '34']], { startTs: T0 + 12, start: 25 }),
    });
    const [res] = roundTrip({ type: 'response', ts: T0 + 13, connection: conn, exchange: ex });
    expect(res).toMatchObject({
      type: 'response', ts: '2024-05-14T09:26:54.013Z', conn: 4, seq: 1, reportId: 'r1', version: 'HTTP/1.1', status: 200, reason: 'OK',
      headers: [['Content-Length', '34']], interim: [{ status: 100, reason: 'Continue', headers: [] }], latencyMs: 7, offset: 25,
      body: { kind: 'level1-response', text, level1: { values: { Bucket: '1', BucketTable: '2', iData: '0' } } },
    });
  });

  test('a response without request has no latency', () => {
    const ex = makeExchange({ connection: conn, request: undefined });
    const [res] = roundTrip({ type: 'response', ts: T0, connection: conn, exchange: ex });
    expect(res).not.toHaveProperty('latencyMs');
    expect(res).toMatchObject({ status: 200, interim: [] });
  });

  test('a CAB upload lists the cabinet and its files; the bytes are in base64', () => {
    const ex = makeExchange({ connection: conn, request: makeRequest('PUT', '/PersistedCabs/x.cab', cab) });
    const [req] = roundTrip({ type: 'request', ts: T0, connection: conn, exchange: ex });
    const b = req!.body as { kind: string; base64: string; cab: { files: { name: string; kind: string; size: number }[]; problems: unknown[] } };
    expect(b.kind).toBe('binary');
    expect(Buffer.from(b.base64, 'base64')).toEqual(cab);
    expect(b.cab.problems).toEqual([]);
    expect(b.cab.files.map((f) => [f.name, f.kind, f.size])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 'metadata', 850], ['WER51C0.tmp.Version.txt', 'text', 380], ['WER5A11.tmp.mdmp', 'minidump', 96008],
    ]);
  });

  test('a body too large to keep is described, not decoded', () => {
    const req = makeRequest('PUT', '/big.cab', 'x');
    req.body = makeBody('', { length: 1e9, data: undefined, sha256: 'ab'.repeat(32) });
    const [line] = roundTrip({ type: 'request', ts: T0, connection: conn, exchange: makeExchange({ connection: conn, request: req }) });
    expect(line!.body).toMatchObject({ length: 1e9, sha256: 'ab'.repeat(32), kind: 'binary', notes: ['too large to decode in memory (see --max-body-bytes)'] });
  });
});

describe('NdjsonSink', () => {
  test('one JSON object per line, in event order', async () => {
    const out = new MemoryStream();
    const sink = new NdjsonSink(out);
    sink.event({ type: 'open', ts: T0, connection: conn });
    sink.event({ type: 'close', ts: T0, connection: conn });
    await sink.close();
    const lines = out.text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).type)).toEqual(['open', 'close']);
  });

  test('a binary body over 1 MiB: length and sha256, no base64 (omitted, noted); inlineMax Infinity keeps it', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    big[0] = 0; // not text
    const ev: CaptureEvent = { type: 'request', ts: T0, connection: conn, exchange: makeExchange({ connection: conn, request: makeRequest('PUT', '/x.cab', big) }) };
    const line = async (sink: NdjsonSink, out: MemoryStream) => {
      sink.event(ev);
      await sink.close();
      return JSON.parse(out.text.split('\n')[0]!).body as Record<string, unknown>;
    };
    const out = new MemoryStream();
    const body = await line(new NdjsonSink(out), out);
    expect(body).toMatchObject({ length: big.length, sha256: makeBody(big).sha256, kind: 'binary', omitted: true });
    expect(body.base64).toBeUndefined();
    expect(body.notes).toContain('base64 left out: 1048577 bytes is over 1.00 MiB (--include-bodies keeps it)');
    const full = new MemoryStream();
    const whole = await line(new NdjsonSink(full, false, false, Infinity), full);
    expect(whole.omitted).toBeUndefined();
    expect(Buffer.from(whole.base64 as string, 'base64').equals(big)).toBe(true);
  });
});
