// HarSink writes each entry when its exchange finishes (not at close), holds only exchanges still
// waiting (at most MAX_HELD_PER_CONNECTION per connection), and references bodies over its
// inline limit by size and sha256. Driven by the real Recorder on hand-made bytes.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ConnectionInfo } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { HarSink, MAX_HELD_PER_CONNECTION } from '../../../src/sinks/har.js';
import { MemoryStream } from '../../helpers/streams.js';
import { harProblems } from '../../helpers/har-check.js';
import { VIEW_DECODE_BYTES } from '../../../src/domain/body/views.js';

type Json = Record<string, any>;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `inlineMax` Infinity is --include-bodies, which also keeps every body whole (as the CLI does). */
function setup(inlineMax?: number) {
  const out = new MemoryStream();
  const sink = new HarSink(out, { version: '1', inlineMax }, true);
  const recorder = new Recorder({ sinks: [sink], now: () => T0, wholeBodies: inlineMax === Infinity });
  const open = (id: number) => {
    const conn: ConnectionInfo = { id, peer: `192.0.2.10:${4000 + id}`, local: '192.0.2.1:1273', openedAt: T0, bytesFromClient: 0, bytesFromServer: 0 };
    return recorder.open(conn);
  };
  /** Entries written so far, from the text of a document not closed yet. */
  const written = () => out.text.split('\n      {').length - 1;
  const finish = async (): Promise<Json> => {
    await recorder.close();
    const doc = JSON.parse(out.text) as Json;
    expect(harProblems(doc)).toEqual([]);
    return doc;
  };
  return { out, open, written, finish };
}

const get = (path: string) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
const ok = (body = '') => Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);

describe('HarSink streams', () => {
  test('an entry is written when its exchange is answered; an open, unanswered one waits for its connection', async () => {
    const { out, open, written, finish } = setup();
    const a = open(1);
    const b = open(2);
    a.push('client', get('/a'));
    b.push('client', get('/b'));
    expect(written()).toBe(0);
    b.push('server', ok('fine'));
    // The document is open and B's entry is in it, before close().
    expect(out.text).toMatch(/^\{\n {2}"log": \{\n[\s\S]*"entries": \[\n {6}\{/);
    expect(written()).toBe(1);
    expect(out.text).toContain('http://h/b');
    expect(out.text).not.toContain('http://h/a');
    a.close();
    expect(written()).toBe(2);
    const doc = await finish();
    expect(doc.log.entries.map((e: Json) => [e.request.url, e.response.status])).toEqual([['http://h/b', 200], ['http://h/a', 0]]);
  });

  test('an early answer (413 while the body uploads) waits for the request: one entry with both', async () => {
    const { open, written, finish } = setup();
    const c = open(1);
    c.push('client', Buffer.from('PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc'));
    c.push('server', Buffer.from('HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n'));
    expect(written()).toBe(0);
    c.push('client', Buffer.from('def'));
    expect(written()).toBe(1);
    const doc = await finish();
    expect(doc.log.entries).toHaveLength(1);
    expect(doc.log.entries[0].request).toMatchObject({ method: 'PUT', postData: { text: 'abcdef' } });
    expect(doc.log.entries[0].response.status).toBe(413);
  });

  test(`at most ${MAX_HELD_PER_CONNECTION} unanswered requests are held per connection; older ones are written`, async () => {
    const { open, written, finish } = setup();
    const c = open(1);
    for (let i = 0; i < MAX_HELD_PER_CONNECTION + 5; i++) c.push('client', get(`/${i}`));
    expect(written()).toBe(5);
    const doc = await finish();
    expect(doc.log.entries.map((e: Json) => e.request.url)).toEqual(Array.from({ length: MAX_HELD_PER_CONNECTION + 5 }, (_, i) => `http://h/${i}`));
  });

  test('bodies over the inline limit: _size, _sha256, _omitted and a comment, no text; at the limit, inline', async () => {
    const { open, finish } = setup(1000);
    const c = open(1);
    const big = Buffer.alloc(1001, 0x41);
    const fits = 'x'.repeat(1000);
    c.push('client', Buffer.concat([Buffer.from(`POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
    c.push('server', ok(fits));
    const doc = await finish();
    const [e] = doc.log.entries;
    expect(e.request.postData).toMatchObject({ text: '', _size: 1001, _sha256: sha256(big), _omitted: true, _kind: 'text' });
    expect(e.request.postData._base64).toBeUndefined();
    expect(e.request.postData.comment).toBe(`body of 1001 bytes left out (over 1000 B); sha256 ${sha256(big)}; --include-bodies keeps it in the HAR`);
    expect(e.request.bodySize).toBe(1001);
    expect(e.response.content).toMatchObject({ size: 1000, text: fits });
    expect(e.response.content._omitted).toBeUndefined();
  });

  test('--include-bodies with a text body decoded only by its beginning: exact bytes as base64, said why', async () => {
    const { open, finish } = setup(Infinity);
    const c = open(1);
    const big = Buffer.alloc(VIEW_DECODE_BYTES + 10, 0x41);
    c.push('client', Buffer.concat([Buffer.from(`PUT /big.txt HTTP/1.1\r\nHost: h\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
    c.push('server', ok());
    const doc = await finish();
    const [e] = doc.log.entries;
    expect(e.request.postData).toMatchObject({ _encoding: 'base64', _kind: 'text', comment: expect.stringMatching(/^only the first 1048576 bytes were decoded, so the body is base64/) });
    expect(Buffer.from(e.request.postData.text, 'base64').equals(big)).toBe(true);
  });
});
