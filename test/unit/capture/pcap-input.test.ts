// A parsed capture fed into a Recorder: connections open with their real addresses, bytes reach
// the sinks per direction with capture times, FIN/RST reach `shutdown`, gaps become problem
// events, and the close reason says how the connection ended. Plus notice summarising.
import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Chunk, Sink } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { feedCapture, formatNotices } from '../../../src/sources/files/pcap-input.js';
import { parseCapture } from '../../../src/sources/pcap/capture.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../../src/sinks/pcap-packets.js';
import { classicPcap, ep, tcpPacket, type RawFrame } from '../../helpers/pcap-build.js';

const T = 1_767_323_045;
const REQ = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody');
const RES = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');

function collect(): Sink & { log: string[]; events: CaptureEvent[]; chunks: Chunk[] } {
  const sink = {
    log: [] as string[],
    events: [] as CaptureEvent[],
    chunks: [] as Chunk[],
    chunk(c: Chunk) { sink.chunks.push(c); sink.log.push(`chunk:${c.source}:${c.bytes.length}`); },
    event(e: CaptureEvent) { sink.events.push(e); sink.log.push(e.type === 'close' ? `close:${e.reason ?? ''}` : e.type === 'problem' ? `problem:${e.problem.code}` : e.type); },
    shutdown(_c: unknown, source: string, how: string) { sink.log.push(`${how}:${source}`); },
    async close() {},
  };
  return sink;
}

const c = ep('192.0.2.10', 49712);
const s = ep('192.0.2.1', 1273);
let t = 0;
const f = (src: typeof c, dst: typeof c, seq: number, flags: number, payload?: Buffer, ack = 0): RawFrame =>
  ({ sec: T, frac: ++t * 1000, data: tcpPacket(src, dst, seq, flags, payload, ack) });

describe('feedCapture', () => {
  test('an orderly connection: addresses, both directions in order, FINs, then close', async () => {
    const frames = [
      f(c, s, 99, TCP_SYN), f(s, c, 499, TCP_SYN | TCP_ACK, undefined, 100), f(c, s, 100, TCP_ACK, undefined, 500),
      f(c, s, 100, TCP_PSH | TCP_ACK, REQ, 500), f(s, c, 500, TCP_PSH | TCP_ACK, RES, 100 + REQ.length),
      f(c, s, 100 + REQ.length, TCP_FIN | TCP_ACK, undefined, 500 + RES.length),
      f(s, c, 500 + RES.length, TCP_FIN | TCP_ACK, undefined, 101 + REQ.length),
    ];
    const sink = collect();
    const rec = new Recorder({ sinks: [sink] });
    expect(await feedCapture(parseCapture(classicPcap(frames, { linkType: 101 }))!, rec, 10)).toBe(1);
    expect(sink.log).toEqual(['open', `chunk:client:${REQ.length}`, 'request', `chunk:server:${RES.length}`, 'response', 'fin:client', 'fin:server', 'close:']);
    const open = sink.events[0]!;
    expect(open.connection).toMatchObject({ id: 11, peer: '192.0.2.10:49712', local: '192.0.2.1:1273', openedAt: T * 1000 + 1, bytesFromClient: REQ.length, bytesFromServer: RES.length });
    expect(sink.chunks.map((x) => x.ts)).toEqual([T * 1000 + 4, T * 1000 + 5]);
    expect(rec.totals).toMatchObject({ connections: 1, requests: 1, responses: 1, problems: 0 });
  });

  test('a reset, and a lost segment: RST to shutdown, a tcp-gap problem event, the reason on close', async () => {
    const frames = [
      f(c, s, 99, TCP_SYN), f(s, c, 499, TCP_SYN | TCP_ACK, undefined, 100),
      f(c, s, 100, TCP_PSH | TCP_ACK, REQ.subarray(0, 10), 500),
      f(c, s, 120, TCP_PSH | TCP_ACK, REQ.subarray(20), 500),
      f(s, c, 500, TCP_RST | TCP_ACK, undefined, 100 + REQ.length),
    ];
    const sink = collect();
    const rec = new Recorder({ sinks: [sink] });
    await feedCapture(parseCapture(classicPcap(frames, { linkType: 101 }))!, rec, 0);
    expect(sink.log.slice(0, 4)).toEqual(['open', 'chunk:client:10', 'problem:tcp-gap', `chunk:client:${REQ.length - 20}`]);
    expect(sink.log.slice(-2)).toEqual(['reset:server', 'close:reset by the server']);
    const gap = sink.events.find((e) => e.type === 'problem');
    expect(gap).toMatchObject({ problem: { code: 'tcp-gap', source: 'client', offset: 10 } });
    expect(rec.totals.problems).toBeGreaterThanOrEqual(1);
  });

  test('a connection still open at the end of the capture closes with that reason', async () => {
    const frames = [f(c, s, 100, TCP_PSH | TCP_ACK, REQ)];
    const sink = collect();
    await feedCapture(parseCapture(classicPcap(frames, { linkType: 101 }))!, new Recorder({ sinks: [sink] }), 0);
    expect(sink.log.at(-1)).toBe('close:still open when the capture ended');
    expect(sink.log.filter((l) => /^(fin|reset):/.test(l))).toEqual([]);
  });
});

describe('notices', () => {
  test('a flood of one kind is cut to three lines and a count', () => {
    const lines = formatNotices('x.pcap', [
      ...Array.from({ length: 5 }, (_, i) => ({ code: 'bad-ip', message: `frame ${i + 1}: bad` })),
      { code: 'pcap-truncated', message: 'cut off' },
    ]);
    expect(lines).toEqual(['x.pcap: frame 1: bad', 'x.pcap: frame 2: bad', 'x.pcap: frame 3: bad', 'x.pcap: cut off', 'x.pcap: … and 2 more bad-ip like these']);
  });

  test('an unsupported link type is named once', () => {
    const frames = [{ sec: T, frac: 0, data: Buffer.alloc(40) }, { sec: T, frac: 1, data: Buffer.alloc(40) }];
    const cap = parseCapture(classicPcap(frames, { linkType: 105 }))!;
    expect(cap.notices).toMatchObject([{ code: 'unsupported-link-type', message: expect.stringContaining('link type 105 is not supported') }]);
    expect(cap.frames).toBe(2);
  });
});
