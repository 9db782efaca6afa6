// HarSink on exchanges built by the real Recorder from the shared vectors and hand-made bytes:
// HAR 1.2 required fields, decoded text vs base64, unanswered requests, oversized bodies.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ConnectionInfo, Direction } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { HarSink } from '../../../src/sinks/har.js';
import { MemoryStream } from '../../helpers/streams.js';
import { harProblems } from '../../helpers/har-check.js';
import { readVector, splitVector } from '../../helpers/paths.js';

type Json = Record<string, any>;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);

/** Feeds `steps` (one connection) through a Recorder into a HarSink; returns the HAR. */
async function har(steps: [Direction, Buffer, number][], opts: { maxBodyBytes?: number; layout?: 'live' | 'offline'; conn?: Partial<ConnectionInfo> } = {}): Promise<Json> {
  const out = new MemoryStream();
  const sink = new HarSink(out, { version: '9.9.9' }, true);
  const recorder = new Recorder({ sinks: [sink], maxBodyBytes: opts.maxBodyBytes, now: () => T0 + 999 });
  const connection: ConnectionInfo = {
    id: 4, peer: '192.0.2.10:49712', local: '192.0.2.1:1273', openedAt: T0, bytesFromClient: 0, bytesFromServer: 0, ...opts.conn,
  };
  let n = 0;
  const rec = recorder.open(connection, {
    layout: opts.layout,
    beforeEmit(ev) {
      if (ev.type === 'request') ev.exchange.reportId = `r${++n}`;
    },
  });
  for (const [source, bytes, dt] of steps) rec.push(source, bytes, T0 + dt);
  rec.close(undefined, T0 + 500);
  await recorder.close();
  expect(out.writableEnded).toBe(true);
  const doc = JSON.parse(out.text) as Json;
  expect(harProblems(doc)).toEqual([]);
  return doc;
}

const level1 = readVector('level1-appcrash.http');
const answer = readVector('level1-response-level2.http');
const put = readVector('level2-put.http');
const putOk = readVector('level2-response-ok.http');

describe('HarSink', () => {
  test('level 1 exchange: log, creator, entry fields, timings, decoded UTF-16 report text', async () => {
    const doc = await har([['client', level1.subarray(0, 200), 10], ['client', level1.subarray(200), 30], ['server', answer, 45]]);
    expect(doc.log.version).toBe('1.2');
    expect(doc.log.creator).toEqual({ name: 'wer-sniff', version: '9.9.9' });
    expect(doc.log.entries).toHaveLength(1);
    const e = doc.log.entries[0];
    expect(e.startedDateTime).toBe(new Date(T0 + 10).toISOString());
    expect(e.timings).toMatchObject({ send: 20, wait: 15, receive: 0 });
    expect(e.time).toBe(35);
    expect(e.connection).toBe('4');
    expect(e.serverIPAddress).toBe('192.0.2.1');
    expect(e._reportId).toBe('r1');
    expect(e.request).toMatchObject({
      method: 'POST', url: 'http://cer-lab.example.test:1273/stage2.htm', httpVersion: 'HTTP/1.1', queryString: [],
      headersSize: level1.indexOf('\r\n\r\n') + 4, bodySize: splitVector('level1-appcrash.http').body.length,
    });
    expect(e.request.headers[0]).toEqual({ name: 'User-Agent', value: 'MSDW' });
    expect(e.request.postData.text).toMatch(/^<\?xml version="1.0" encoding="UTF-16"\?><WERREPORT/);
    expect(e.request.postData._kind).toBe('wer-report');
    expect(e.request.postData._encoding).toBeUndefined();
    // The decoded text plus the exact bytes it came from (UTF-16LE with BOM), for replay.
    expect(Buffer.from(e.request.postData._base64, 'base64').equals(splitVector('level1-appcrash.http').body)).toBe(true);
    const body = splitVector('level1-response-level2.http').body;
    expect(e.response).toMatchObject({ status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', redirectURL: '', bodySize: body.length });
    expect(e.response.content).toMatchObject({ size: body.length, text: body.toString('latin1'), _kind: 'level1-response' });
    expect(e.response.content.encoding).toBeUndefined();
    expect(e._problems).toBeUndefined();
  });

  test('binary bodies: PUT CAB as base64 postData (_encoding), binary response content.encoding base64', async () => {
    const bin = Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0]);
    const res = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bin.length}\r\n\r\n`), bin]);
    const doc = await har([['client', put, 1], ['server', putOk, 2], ['client', Buffer.from('GET /blob HTTP/1.1\r\nHost: h\r\n\r\n'), 3], ['server', res, 4]]);
    const [a, b] = doc.log.entries;
    const cab = splitVector('level2-put.http').body;
    // WER's target starts with and holds backslashes: the URL percent-encodes them to be a valid
    // URI; the exact head stays in _rawHead.
    const target = put.toString('latin1').split(' ')[1]!;
    expect(a.request.url).toBe('http://cer-lab.example.test:1273/' + target.replaceAll('\\', '%5C'));
    expect(new URL(a.request.url).pathname).toBe('/' + target.replaceAll('\\', '%5C'));
    expect(Buffer.from(a.request._rawHead, 'base64').equals(put.subarray(0, put.indexOf('\r\n\r\n') + 4))).toBe(true);
    expect(a.request._framing).toBe('content-length');
    expect(a.request.postData).toMatchObject({ mimeType: '', _encoding: 'base64', _sha256: createHash('sha256').update(cab).digest('hex') });
    expect(a.request.postData.comment).toMatch(/base64/);
    expect(Buffer.from(a.request.postData.text, 'base64').equals(cab)).toBe(true);
    expect(a.response.content).toMatchObject({ size: 0, text: '' });
    expect(b.request.postData).toBeUndefined();
    expect(b.response.content).toMatchObject({ size: bin.length, mimeType: 'application/octet-stream', encoding: 'base64', text: bin.toString('base64') });
  });

  test('a request never answered gets status 0; problems and interim responses are kept', async () => {
    const req = Buffer.from('PUT /up?x=1&name=a%20b&flag HTTP/1.1\r\nHost: h\r\nCookie: s=1; t=2\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\nabc');
    const doc = await har([['client', req, 1], ['server', Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), 2]]);
    const e = doc.log.entries[0];
    expect(e.request.queryString).toEqual([{ name: 'x', value: '1' }, { name: 'name', value: 'a b' }, { name: 'flag', value: '' }]);
    expect(e.request.cookies).toEqual([{ name: 's', value: '1' }, { name: 't', value: '2' }]);
    expect(e.response).toMatchObject({ status: 0, statusText: '', headersSize: -1, bodySize: -1 });
    expect(e.response._interim).toEqual([{ status: 100, statusText: 'Continue', headers: [], _rawHead: Buffer.from('HTTP/1.1 100 Continue\r\n\r\n').toString('base64') }]);
    expect(e.comment).toBe('no response captured');
    expect(e._problems.map((p: Json) => p.code)).toContain('truncated-body');
    expect(e.request.postData._complete).toBe(false);
    expect(e.timings).toMatchObject({ send: 499, wait: 0, receive: 0 });
  });

  test('a body too large to keep: size and sha256 and a comment, no text', async () => {
    const data = Buffer.alloc(5000, 0x61);
    const req = Buffer.concat([Buffer.from(`POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: ${data.length}\r\n\r\n`), data]);
    const doc = await har([['client', req, 1]], { maxBodyBytes: 1024 });
    const pd = doc.log.entries[0].request.postData;
    expect(pd.text).toBe('');
    expect(pd._sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(pd.comment).toMatch(/too large.*--max-body-bytes/);
    expect(doc.log.entries[0].request.bodySize).toBe(5000);
  });

  test('offline: a response-only capture gets an entry with an empty request; file names give no serverIPAddress', async () => {
    const doc = await har([['client', answer, 1]], { layout: 'offline', conn: { peer: 'x.http', local: 'file' } });
    const e = doc.log.entries[0];
    expect(e.request).toMatchObject({ method: '', url: 'http://file/', headersSize: -1 });
    expect(e.response.status).toBe(200);
    expect(e.serverIPAddress).toBeUndefined();
    expect(e.comment).toBe('response without a captured request');
  });

  test('chunked response: bodySize counts wire bytes, content.size the de-chunked length; Set-Cookie, Location', async () => {
    const res = Buffer.from('HTTP/1.1 302 Found\r\nLocation: /next\r\nSet-Cookie: id=7; Path=/\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const doc = await har([['client', Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), 1], ['server', res, 2]]);
    const r = doc.log.entries[0].response;
    expect(r).toMatchObject({ status: 302, redirectURL: '/next', cookies: [{ name: 'id', value: '7' }], bodySize: 13 });
    expect(r.content).toMatchObject({ size: 3, text: 'abc' });
  });

  test('no exchanges: an empty but valid HAR', async () => {
    const doc = await har([]);
    expect(doc.log.entries).toEqual([]);
  });
});
