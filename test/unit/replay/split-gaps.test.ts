// replay of a capture that lost client bytes: a request a hole falls in is never sent (its two
// halves do not make it), sending picks up at the next request line after the hole, and each
// hole gets exactly one note naming it and what was left out because of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { nextRequestLine, splitAroundGaps } from '../../../src/sources/replay/split-gaps.js';
import { readReplaySource } from '../../../src/sources/files/replay-input.js';
import { TCP_ACK, TCP_PSH, TCP_SYN } from '../../../src/sinks/pcap-packets.js';
import { classicPcap, ep, tcpPacket, type RawFrame } from '../../helpers/pcap-build.js';
import { readVector } from '../../helpers/paths.js';

const A = readVector('level1-appcrash.http');
const B = readVector('level1-hang.http');
const C = readVector('level1-generic.http');
const ABC = Buffer.concat([A, B, C]);
/** ABC with the bytes [from, to) lost, and the gap where they were. */
function lose(from: number, to: number) {
  return { bytes: Buffer.concat([ABC.subarray(0, from), ABC.subarray(to)]), gap: { offset: from, what: `${to - from} bytes missing` } };
}

describe('splitAroundGaps', () => {
  test('a hole in a body: that request is not sent, nor the rest of it after the hole; the next ones are, exactly', () => {
    const { bytes, gap } = lose(1000, 2000);
    const r = splitAroundGaps(bytes, [gap], 'cap');
    expect(r.connection.requests).toEqual([B, C]);
    expect(r.notes).toEqual([`cap: 1000 bytes missing — not sent: the request it cuts (POST /stage2.htm) and the ${A.length - 2000} bytes after it, up to the next request line; replay goes on from the next request`]);
  });

  test('a hole exactly between requests (a whole request lost): the requests around it are sent', () => {
    const { bytes, gap } = lose(A.length, A.length + B.length);
    const r = splitAroundGaps(bytes, [gap], 'cap');
    expect(r.connection.requests).toEqual([A, C]);
    expect(r.notes).toEqual([`cap: ${B.length} bytes missing — it cuts no request: nothing is left out (but a request wholly inside it)`]);
  });

  test('a hole in a head, and one at the very start: the cut request is named as far as it is known', () => {
    const head = lose(A.length + 10, A.length + 60);
    const r = splitAroundGaps(head.bytes, [head.gap], 'cap');
    expect(r.connection.requests).toEqual([A, C]);
    expect(r.notes).toEqual([`cap: 50 bytes missing — not sent: the request it cuts (its head is cut) and the ${B.length - 60} bytes after it, up to the next request line; replay goes on from the next request`]);
    const start = lose(0, 2);
    expect(splitAroundGaps(start.bytes, [start.gap], 'cap')).toEqual({
      connection: { name: 'cap', requests: [B, C] },
      notes: [`cap: 2 bytes missing — not sent: the ${A.length - 2} bytes after it, up to the next request line; replay goes on from the next request`],
    });
  });

  test('a hole with no request after it, and one at the end of the stream', () => {
    const tail = lose(ABC.length - 100, ABC.length - 50);
    const r = splitAroundGaps(tail.bytes, [tail.gap], 'cap');
    expect(r.connection.requests).toEqual([A, B]);
    expect(r.notes).toEqual(['cap: 50 bytes missing — not sent: the request it cuts (POST /stage2.htm) and the 50 bytes after it (no request line follows)']);
    const end = { bytes: ABC.subarray(0, ABC.length - 5), gap: { offset: ABC.length - 5, what: '5 bytes missing' } };
    expect(splitAroundGaps(end.bytes, [end.gap], 'cap').notes).toEqual(['cap: 5 bytes missing — not sent: the request it cuts (POST /stage2.htm)']);
    const clean = { offset: ABC.length, what: '9 bytes missing' };
    expect(splitAroundGaps(ABC, [clean], 'cap')).toEqual({
      connection: { name: 'cap', requests: [A, B, C] }, notes: ['cap: 9 bytes missing — it comes after the last complete request: nothing is cut'],
    });
  });

  test('two holes: one note each, in stream order; notes of what lies between keep stream offsets', () => {
    const bytes = Buffer.concat([A.subarray(0, 100), B, Buffer.from('junk\r\n'), C.subarray(0, 300)]);
    const gaps = [{ offset: 100 + B.length + 6, what: 'second' }, { offset: 100, what: 'first' }];
    const r = splitAroundGaps(bytes, gaps, 'cap');
    expect(r.connection.requests).toEqual([B]);
    expect(r.notes).toEqual([
      'cap: first — not sent: the request it cuts (its head is cut); replay goes on from the next request',
      `cap: expected a request line "METHOD target HTTP/x.y", saw "junk" (byte ${100 + B.length})`,
      `cap: 6 bytes at byte ${100 + B.length} are not HTTP; not sent`,
      'cap: second — it cuts no request: nothing is left out (but a request wholly inside it)',
      `cap: expected ${C.length - 126} body bytes (Content-Length), saw the stream end after 174 (byte ${100 + B.length + 6 + 300})`,
      `cap: the request at byte ${100 + B.length + 6} is incomplete (300 bytes); not sent`,
    ]);
  });

  test('the request an untrusted head names is escaped in the note', () => {
    const evil = Buffer.from('POST /\x9b2Jx HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345', 'latin1');
    const r = splitAroundGaps(Buffer.concat([evil, C]), [{ offset: evil.length, what: 'hole' }], 'cap');
    expect(r.notes[0]).toBe('cap: hole — not sent: the request it cuts (POST /\\u009b2Jx); replay goes on from the next request');
    expect(r.connection.requests).toEqual([C]);
  });
});

describe('nextRequestLine', () => {
  const at = (s: string, lo = 0) => nextRequestLine(Buffer.from(s, 'latin1'), lo, s.length);
  test('a request line right after a body, not only after a line end; whole methods only', () => {
    expect(at('xx</R>POST /a HTTP/1.1\r\n')).toBe(6);
    expect(at('ST /stage2.htm HTTP/1.1\r\nGET / HTTP/1.0\n')).toBe(25);
    expect(at('POST /a b HTTP/1.1\r\n')).toBe(-1);
    expect(at('POST /a HTTP/1.1')).toBe(-1); // no line end yet
    expect(at('PUT /x HTTP/1.1\r\n', 1)).toBe(-1); // before lo does not count
    expect(at(' HTTP/'.repeat(50_000) + 'GET /z HTTP/1.1\r\n')).toBe(300_000);
  });
});

describe('readReplaySource of a pcap with holes', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-gaps-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const c = ep('192.0.2.10', 49712);
  const s = ep('192.0.2.1', 1273);
  let t = 0;
  const f = (src: typeof c, dst: typeof c, seq: number, flags: number, payload?: Buffer, ack = 0): RawFrame =>
    ({ sec: 1_767_323_045, frac: ++t * 1000, data: tcpPacket(src, dst, seq, flags, payload, ack) });

  test('a lost client segment: one note, from the gap, for what is not sent; a lost server segment stays a plain note', async () => {
    const answer = readVector('level1-response-level2.http');
    const frames = [
      f(c, s, 99, TCP_SYN), f(s, c, 499, TCP_SYN | TCP_ACK, undefined, 100),
      f(c, s, 100, TCP_PSH | TCP_ACK, ABC.subarray(0, 1000), 500),
      // ABC[1000, 2000) is never captured; the server acknowledges past it.
      f(c, s, 2100, TCP_PSH | TCP_ACK, ABC.subarray(2000), 500),
      f(s, c, 500, TCP_PSH | TCP_ACK, answer.subarray(0, 100), 100 + ABC.length),
      f(s, c, 600 + 50, TCP_PSH | TCP_ACK, answer.subarray(150), 100 + ABC.length),
      f(c, s, 100 + ABC.length, TCP_ACK, undefined, 500 + answer.length),
    ];
    const file = path.join(tmp, 'holes.pcap');
    fs.writeFileSync(file, classicPcap(frames, { linkType: 101 }));
    const src = await readReplaySource([file]);
    expect(src.connections.map((x) => x.requests)).toEqual([[B, C]]);
    const name = `${file} 192.0.2.10:49712 → 192.0.2.1:1273`;
    expect(src.notes).toEqual([
      `${name}: 50 bytes missing from the capture at TCP stream offset 100 (the receiver acknowledged past it); the bytes after the gap follow directly`,
      `${name}: 1000 bytes missing from the capture at TCP stream offset 1000 (the receiver acknowledged past it) — not sent: the request it cuts (POST /stage2.htm) and the ${A.length - 2000} bytes after it, up to the next request line; replay goes on from the next request`,
    ]);
  });
});
