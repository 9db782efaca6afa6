// The framer on the MS-CER2 wire vectors: each whole, byte by byte and split at every offset.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHead } from '../../../src/pipeline/http/head.js';
import { feed, frameAllWays, checkCoverage, normalise } from './framer-harness.js';
import { VECTORS, readVector } from '../../helpers/paths.js';

const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith('.http')).sort();

function split(wire: Buffer): { head: Buffer; body: Buffer } {
  const end = wire.indexOf('\r\n\r\n') + 4;
  return { head: wire.subarray(0, end), body: wire.subarray(end) };
}

describe('framer on the MS-CER2 vectors (*.http)', () => {
  it('finds the vectors', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    it(`${file}: same events every way, head and body as on the wire`, () => {
      const wire = readVector(file);
      const { head, body } = split(wire);
      const isResponse = wire.subarray(0, 5).toString() === 'HTTP/';
      const parsed = parseHead(head);
      if (!parsed.ok) throw new Error(parsed.problem.message);
      const contentLength = Number(parsed.head.headers.find(([n]) => n === 'Content-Length')![1]);
      const events = frameAllWays(wire, { mode: isResponse ? 'response' : 'request' });
      // `auto` sees the same
      expect(normalise(feed(wire, [], { mode: 'auto' }))).toEqual(events);

      expect(events[0]).toMatchObject({ type: 'head', offset: 0, raw: head.toString('latin1'), headers: parsed.head.headers });
      if (body.length === contentLength) {
        const tail = contentLength === 0 ? [] : [{ type: 'body', offset: head.length, data: body.toString('latin1') }];
        expect(events.slice(1)).toEqual([
          ...tail,
          { type: 'end', offset: wire.length, framing: 'content-length', trailers: [], complete: true },
        ]);
      } else {
        // level2-put-headers.http: only the head of a 1374-byte PUT
        expect(file).toBe('level2-put-headers.http');
        expect(events.slice(1)).toEqual([
          { type: 'problem', code: 'truncated-body', offset: wire.length, message: 'expected 1374 body bytes (Content-Length), saw the stream end after 0' },
          { type: 'end', offset: wire.length, framing: 'content-length', trailers: [], complete: false },
        ]);
      }
    });
  }

  it('level1-appcrash: POST /stage2.htm carrying the UTF-16 XML of level1-appcrash.body.xml', () => {
    const events = normalise(feed(readVector('level1-appcrash.http'), [], { mode: 'request' }));
    expect(events[0]).toMatchObject({
      type: 'head', kind: 'request', method: 'POST', target: '/stage2.htm', version: 'HTTP/1.1',
      headers: [['User-Agent', 'MSDW'], ['Host', 'cer-lab.example.test:1273'], ['Content-Length', '2376'], ['Connection', 'Keep-Alive']],
    });
    expect(events[1]).toMatchObject({ type: 'body', data: readVector('level1-appcrash.body.xml').toString('latin1') });
  });

  it('level2-put: PUT to the raw-backslash DumpFile path carrying sample-report.cab', () => {
    const events = normalise(feed(readVector('level2-put.http'), [], { mode: 'request' }));
    expect(events[0]).toMatchObject({ method: 'PUT', target: expect.stringMatching(/^\\PersistedCabs\\Generic\\APPCRASH\\.*\.cab$/) });
    expect(events[1]).toMatchObject({ type: 'body', data: readVector('sample-report.cab').toString('latin1') });
  });

  it('level1-response-level2: 200 OK with the DumpFile body', () => {
    const events = normalise(feed(readVector('level1-response-level2.http'), [], { mode: 'response', expect: ['POST'] }));
    expect(events[0]).toMatchObject({ kind: 'response', version: 'HTTP/1.1', status: 200, reason: 'OK' });
    expect(events[1]).toMatchObject({ type: 'body', data: expect.stringMatching(/^Bucket=1001\r\nBucketTable=5\r\niData=1\r\nDumpFile=\\PersistedCabs\\/) });
  });

  it('a whole keep-alive conversation: every request on one stream, every response on another', () => {
    const requests = ['level1-appcrash.http', 'level1-hang.http', 'level1-bluescreen.http', 'level1-generic.http', 'level2-put.http'];
    const client = Buffer.concat(requests.map((f) => readVector(f)));
    const events = frameAllWays(client, { mode: 'request' });
    const heads = events.filter((e) => e.type === 'head');
    expect(heads.map((h) => h.type === 'head' && h.kind === 'request' && h.method)).toEqual(['POST', 'POST', 'POST', 'POST', 'PUT']);
    let at = 0;
    for (const [i, f] of requests.entries()) {
      expect(heads[i]!.offset).toBe(at);
      at += readVector(f).length;
    }
    expect(events.at(-1)).toEqual({ type: 'end', offset: client.length, framing: 'content-length', trailers: [], complete: true });

    const responses = ['level1-response-level2.http', 'level1-response-nolevel2.http', 'level1-response-loose.http', 'level2-response-ok.http'];
    const server = Buffer.concat(responses.map((f) => readVector(f)));
    const r = frameAllWays(server, { mode: 'response', expect: ['POST', 'POST', 'POST', 'PUT'] });
    expect(r.filter((e) => e.type === 'end')).toHaveLength(4);
    expect(r.filter((e) => e.type === 'problem')).toEqual([]);

    // offline: both directions in one stream, sniffed message by message
    const mixed = Buffer.concat([readVector('level1-appcrash.http'), readVector('level1-response-level2.http'), readVector('level2-put.http'), readVector('level2-response-ok.http')]);
    const m = feed(mixed, [], { mode: 'auto' });
    checkCoverage(mixed, m);
    expect(normalise(m).filter((e) => e.type === 'head').map((e) => e.type === 'head' && e.kind)).toEqual(['request', 'response', 'request', 'response']);
    }, 60_000);
});
