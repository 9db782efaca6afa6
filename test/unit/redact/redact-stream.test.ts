import { describe, expect, it } from 'vitest';
import { RedactingStream } from '../../../src/sinks/redact-stream.js';
import { Pseudonyms } from '../../../src/analysis/redact/pseudonyms.js';
import { withoutBinary } from '../../../src/sinks/ndjson.js';
import { withoutBinaryBodies } from '../../../src/sinks/har.js';
import { MemoryStream } from '../../helpers/streams.js';

describe('RedactingStream', () => {
  it('never splits a name between writes, even mid-character, and flushes the rest at the end', async () => {
    const names = new Pseudonyms();
    names.learn('user', 'jöhn');
    const sink = new MemoryStream();
    const s = new RedactingStream(sink, names, true);
    const bytes = Buffer.from('a jö', 'utf8');
    s.write(bytes.subarray(0, bytes.length - 1)); // cut inside ö
    s.write(Buffer.concat([bytes.subarray(bytes.length - 1), Buffer.from('hn b\nJÖHN c\ntail jöhn')]));
    expect(sink.text).toBe('a user-1 b\nuser-1 c\n');
    await new Promise<void>((r) => s.end(() => r()));
    expect(sink.text).toBe('a user-1 b\nuser-1 c\ntail user-1');
    expect(sink.writableFinished).toBe(true);
  });

  it('learns names after a write and applies them to text still held back', () => {
    const names = new Pseudonyms();
    const sink = new MemoryStream();
    const s = new RedactingStream(sink, names);
    s.write('PC-9 says');
    names.learn('machine', 'PC-9');
    s.write(' hi\n');
    expect(sink.text).toBe('machine-1 says hi\n');
  });
});

describe('binary left out under --redact', () => {
  it('NDJSON: raw bytes and base64 bodies go, with a note', () => {
    expect(withoutBinary({ type: 'raw', base64: 'AAAA', length: 3 })).toEqual({ type: 'raw', length: 3, note: 'binary bytes left out under --redact' });
    expect(withoutBinary({ type: 'request', body: { kind: 'binary', base64: 'AAAA', notes: ['x'] } }))
      .toEqual({ type: 'request', body: { kind: 'binary', notes: ['x', 'binary bytes left out under --redact'] } });
    const text = { type: 'request', body: { kind: 'text', text: 'hello' } };
    expect(withoutBinary(structuredClone(text))).toEqual(text);
  });

  it('HAR: base64 request and response bodies go, text bodies stay', () => {
    const doc = { log: { entries: [
      { request: { postData: { text: 'TUFSQw==', _encoding: 'base64', comment: 'binary body: text is base64 (HAR 1.2 has no encoding field for postData)' } }, response: { content: { text: 'AA==', encoding: 'base64' } } },
      { request: { postData: { text: '<xml/>' } }, response: { content: { text: 'ok' } } },
    ] } };
    withoutBinaryBodies(doc);
    expect(doc.log.entries[0]).toEqual({
      request: { postData: { text: '', comment: 'binary body left out under --redact' } },
      response: { content: { text: '', comment: 'binary body left out under --redact' } },
    });
    expect(doc.log.entries[1]).toEqual({ request: { postData: { text: '<xml/>' } }, response: { content: { text: 'ok' } } });
  });
});
