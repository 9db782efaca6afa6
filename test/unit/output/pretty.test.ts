import { describe, expect, test } from 'vitest';
import type { CaptureEvent } from '../../../src/model.js';
import { formatEvent, PrettySink, type PrettyOptions } from '../../../src/sinks/pretty.js';
import { MemoryStream } from '../../helpers/streams.js';
import { readVector } from '../../helpers/paths.js';
import { T0, makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';
import { marked, plain } from './paints.js';

const live: PrettyOptions = { paint: plain, hexDump: false, times: true };
const offline: PrettyOptions = { paint: plain, hexDump: false, times: false };
/** `hh:mm:ss.mmm ` of T0+n in local time; the seconds never depend on the time zone. */
const CLOCK = /^\d\d:\d\d:54\.\d\d\d /;
const conn = makeConnection({ id: 2, bytesFromClient: 2048, bytesFromServer: 34, upstream: 'cer.example.test:1273' });
const body = readVector('level1-appcrash.body.xml');

const first = (ev: CaptureEvent, o = live) => formatEvent(ev, o)[0]!;
const stripClock = (s: string) => s.replace(CLOCK, '');

describe('formatEvent, connection events', () => {
  test('open and close, live wording', () => {
    const open = first({ type: 'open', ts: T0, connection: conn });
    expect(open).toMatch(CLOCK);
    expect(stripClock(open)).toBe('#2 192.0.2.7:49731 connected → cer.example.test:1273');
    expect(stripClock(first({ type: 'close', ts: T0 + 9, connection: conn, reason: 'ECONNRESET' })))
      .toBe('#2 closed (ECONNRESET) · 2.00 KiB from client · 34 B from server');
  });

  test('open and close, offline wording (no clock)', () => {
    expect(formatEvent({ type: 'open', ts: T0, connection: conn }, offline)).toEqual(['#2 192.0.2.7:49731']);
    expect(first({ type: 'close', ts: T0, connection: conn }, offline)).toBe('#2 end of input · 2.00 KiB');
  });

  test('problems and raw bytes are shown escaped', () => {
    const problem = first({ type: 'problem', ts: T0, connection: conn, problem: { code: 'bad-request-line', source: 'client', offset: 17, message: 'saw "\x1b[2J"' } }, offline);
    expect(problem).toBe('#2 problem bad-request-line (client byte 17): saw "\\x1b[2J"');
    const raw = formatEvent({ type: 'raw', ts: T0, connection: conn, source: 'client', offset: 40, bytes: Buffer.from('\x16\x03\x01ok\r\nnext') }, offline);
    expect(raw).toEqual(['#2 raw client bytes 11 at offset 40 (not HTTP, shown escaped):', '    \\x16\\x03\\x01ok\\r\\n', '    next']);
  });

  test('long raw runs are cut at 4096 bytes with a count', () => {
    const raw = formatEvent({ type: 'raw', ts: T0, connection: conn, source: 'server', offset: 0, bytes: Buffer.alloc(5000, 0x41) }, offline);
    expect(raw.at(-1)).toBe('    … 904 more bytes');
    expect(raw[1]).toBe('    ' + 'A'.repeat(4096));
  });
});

describe('formatEvent, requests and responses', () => {
  const ex = makeExchange({
    connection: conn, reportId: 'r1',
    request: makeRequest('POST', '/stage2.htm', body, [['User-Agent', 'MSDW'], ['Content-Length', String(body.length)]], { endTs: T0 + 5 }),
    interim: [makeResponse(100, 'Continue', '', [])],
    response: makeResponse(200, 'OK', 'Bucket=1\r\nBucketTable=2\r\niData=0\r\n', undefined, { startTs: T0 + 12 }),
  });

  test('request: request line with report tag, headers, then the decoded report', () => {
    const lines = formatEvent({ type: 'request', ts: T0 + 5, connection: conn, exchange: ex }, offline);
    expect(lines.slice(0, 3)).toEqual(['#2 ▶ POST /stage2.htm HTTP/1.1 [report r1]', '    User-Agent: MSDW', `    Content-Length: ${body.length}`]);
    expect(lines.join('\n')).toContain('WER report · APPCRASH · Stopped working');
    expect(lines.join('\n')).toContain('Machine      WKS-0042.lab.example.test');
    const timed = formatEvent({ type: 'request', ts: T0 + 5, connection: conn, exchange: ex }, live);
    expect(timed[0]).toMatch(CLOCK);
    expect(stripClock(timed[0]!)).toBe(lines[0]);
  });

  test('response: status with latency and what it answers, report tag; interim answers have their own event', () => {
    const lines = formatEvent({ type: 'response', ts: T0 + 13, connection: conn, exchange: ex }, offline);
    expect(lines.slice(0, 2)).toEqual(['#2 ◀ 200 OK 7 ms ← POST /stage2.htm [report r1]', '    Content-Length: 34']);
    expect(lines).toContain('    → Bucket 1 in table 2');
    const interim = formatEvent({ type: 'interim', ts: T0 + 1, connection: conn, exchange: ex, response: ex.interim[0]! }, offline);
    expect(interim).toEqual(['#2 ◀ 100 Continue (interim) ← POST /stage2.htm']);
  });

  test('a response without request (response-only input) has no latency and no ←', () => {
    const only = makeExchange({ connection: conn, request: undefined, response: makeResponse(503, 'Busy') });
    expect(first({ type: 'response', ts: T0, connection: conn, exchange: only }, offline)).toBe('#2 ◀ 503 Busy');
  });

  test('a request without body prints no body lines', () => {
    const get = makeExchange({ connection: conn, request: makeRequest('GET', '/', '', [['Host', 'h']]) });
    expect(formatEvent({ type: 'request', ts: T0, connection: conn, exchange: get }, offline)).toEqual(['#2 ▶ GET / HTTP/1.1', '    Host: h']);
  });

  test('control characters in method, target, version, header names and values, and reasons are escaped', () => {
    const evil = makeExchange({
      connection: conn,
      request: makeRequest('P\x1bST', '/a\x1b[2J\u202Eb\r\n', '', [['X-\x07', 'v\x1b]0;pwned\x07'], ['Y', 'tab\there']]),
      response: makeResponse(400, 'Bad\x1b[5m', '', []),
    });
    evil.request!.head.version = 'HTTP/1.1\x00';
    const req = formatEvent({ type: 'request', ts: T0, connection: conn, exchange: evil }, { ...offline, paint: marked });
    expect(req).toEqual([
      '#2 ▶ P⟦\\x1b⟧ST /a⟦\\x1b⟧[2J⟦\\u202e⟧b⟦\\r\\n⟧ HTTP/1.1⟦\\x00⟧',
      '    X-⟦\\x07⟧: v⟦\\x1b⟧]0;pwned⟦\\x07⟧',
      '    Y: tab⟦\\t⟧here',
    ]);
    const res = formatEvent({ type: 'response', ts: T0, connection: conn, exchange: evil }, { ...offline, paint: marked });
    expect(res[0]).toBe('#2 ◀ 400 Bad⟦\\x1b⟧[5m 7 ms ← P⟦\\x1b⟧ST /a⟦\\x1b⟧[2J⟦\\u202e⟧b⟦\\r\\n⟧');
    for (const l of [...req, ...res]) expect(l).not.toMatch(/[\x00-\x1f\u202e]/);
  });

  test('a long target is shortened before escaping, so no escape is cut in half', () => {
    const target = '/' + 'x'.repeat(78) + '\x1b\x1b\x1b';
    const ex2 = makeExchange({ connection: conn, request: makeRequest('GET', target, '', []), response: makeResponse(200, 'OK', '', []) });
    const line = formatEvent({ type: 'response', ts: T0, connection: conn, exchange: ex2 }, { ...offline, paint: marked })[0]!;
    expect(line.endsWith(`← GET /${'x'.repeat(78)}⟦\\x1b⟧`)).toBe(true);
  });

  test('peer and close reason are escaped too', () => {
    const bad = makeConnection({ peer: 'file\x1b[1m.bin' });
    expect(formatEvent({ type: 'open', ts: T0, connection: bad }, { ...offline, paint: marked })).toEqual(['#1 file⟦\\x1b⟧[1m.bin']);
    expect(stripClock(first({ type: 'close', ts: T0, connection: bad, reason: 'x\ny' }, { ...live, paint: marked })))
      .toBe('#1 closed (x⟦\\n⟧y) · 0 B from client · 0 B from server');
  });
});

describe('PrettySink', () => {
  test('writes each event whole, in order, and everything is out after close()', async () => {
    const out = new MemoryStream();
    const sink = new PrettySink(out, offline);
    sink.event({ type: 'open', ts: T0, connection: conn });
    sink.event({ type: 'close', ts: T0, connection: conn });
    await sink.close();
    expect(out.text).toBe('#2 192.0.2.7:49731\n#2 end of input · 2.00 KiB\n');
  });
});
