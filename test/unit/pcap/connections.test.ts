// From a whole hand-built capture to connections and steps: client/server by SYN, SYN-ACK or
// port; FIN, RST and still-open ends; the port filter; port reuse; cut packets; IPv6; and the
// global capture order across connections.
import { describe, expect, test } from 'vitest';
import { parseCapture, type CapturedConnection, type CaptureStep, type ParsedCapture } from '../../../src/sources/pcap/capture.js';
import { captureConnectionBytes } from '../../../src/sources/files/pcap-input.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Endpoint } from '../../../src/sinks/pcap-packets.js';
import { classicPcap, ep, ethernet, Pcapng, sll2, tcpPacket, type RawFrame } from '../../helpers/pcap-build.js';

const T = 1_767_323_045;
const REQ = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
const RES = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');

/** A small TCP conversation builder: tracks both sides' sequence numbers like a stack would. */
class Talk {
  readonly frames: RawFrame[] = [];
  private seq: [number, number];
  private t = 0;
  constructor(private readonly c: Endpoint, private readonly s: Endpoint, isn: [number, number] = [100, 900], private readonly out: RawFrame[] = []) {
    this.seq = [...isn];
  }
  send(from: 0 | 1, flags: number, payload = Buffer.alloc(0), opts: { seq?: number; cut?: number } = {}): this {
    const [src, dst] = from === 0 ? [this.c, this.s] : [this.s, this.c];
    const seq = opts.seq ?? this.seq[from];
    const pkt = tcpPacket(src, dst, seq, flags, payload, this.seq[1 - from]!);
    const data = opts.cut ? pkt.subarray(0, pkt.length - opts.cut) : pkt;
    const f = { sec: T, frac: ++this.t * 1000, data, origLen: pkt.length };
    this.frames.push(f);
    this.out.push(f);
    if (opts.seq === undefined) this.seq[from] = (seq + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    return this;
  }
  handshake(): this {
    return this.send(0, TCP_SYN).send(1, TCP_SYN | TCP_ACK).send(0, TCP_ACK);
  }
}

const client = ep('192.0.2.10', 49712);
const server = ep('192.0.2.1', 1273);
const pcap = (frames: RawFrame[]) => classicPcap(frames, { linkType: 101 });
/** One side's reassembled bytes of one connection. */
const bytesFrom = (cap: ParsedCapture, conn: CapturedConnection, source: 'client' | 'server'): Buffer =>
  captureConnectionBytes(cap).find((b) => b.connection === conn)![source];
const kinds = (steps: CaptureStep[]) => steps.map((s) => (s.type === 'data' || s.type === 'fin' || s.type === 'reset' ? `${s.type}:${s.source}` : s.type));

describe('parseCapture', () => {
  test('a full conversation: SYN decides the client, data both ways, FIN both ways', () => {
    const t = new Talk(client, server).handshake()
      .send(0, TCP_PSH | TCP_ACK, REQ).send(1, TCP_ACK).send(1, TCP_PSH | TCP_ACK, RES)
      .send(0, TCP_FIN | TCP_ACK).send(1, TCP_FIN | TCP_ACK).send(0, TCP_ACK);
    const cap = parseCapture(pcap(t.frames))!;
    expect(cap.format).toBe('pcap');
    expect(cap.connections).toEqual([{ id: 1, client: '192.0.2.10:49712', server: '192.0.2.1:1273', openedAt: T * 1000 + 1, closedAt: T * 1000 + 8, handshake: true, end: 'fin' }]);
    expect(kinds(cap.steps)).toEqual(['open', 'data:client', 'data:server', 'fin:client', 'fin:server', 'close']);
    expect(bytesFrom(cap, cap.connections[0]!, 'client').equals(REQ)).toBe(true);
    expect(bytesFrom(cap, cap.connections[0]!, 'server').equals(RES)).toBe(true);
    expect(cap.steps.find((s) => s.type === 'data')!.ts).toBe(T * 1000 + 4);
  });

  test('Ethernet in big-endian pcap and SLL2 in big-endian pcapng give the same result', () => {
    const t = new Talk(client, server).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    const eth = classicPcap(t.frames.map((f) => ({ ...f, data: ethernet(f.data), origLen: f.data.length + 14 })), { linkType: 1, le: false });
    const ng = new Pcapng(false).section().iface(276);
    for (const f of t.frames) ng.epb(0, BigInt(f.sec) * 1_000_000n + BigInt(f.frac), sll2(f.data));
    for (const file of [eth, ng.build()]) {
      const cap = parseCapture(file)!;
      expect(cap.notices).toEqual([]);
      expect(cap.connections[0]).toMatchObject({ client: '192.0.2.10:49712', server: '192.0.2.1:1273', openedAt: T * 1000 + 1 });
      expect(bytesFrom(cap, cap.connections[0]!, 'client').equals(REQ)).toBe(true);
    }
  });

  test('no SYN in the capture: the side on the filter port is the server', () => {
    const t = new Talk(server, client, [5000, 7000]).send(0, TCP_PSH | TCP_ACK, RES).send(1, TCP_PSH | TCP_ACK, REQ);
    const cap = parseCapture(pcap(t.frames))!;
    expect(cap.connections[0]).toMatchObject({ client: '192.0.2.10:49712', server: '192.0.2.1:1273', handshake: false, end: 'open' });
    expect(kinds(cap.steps)).toEqual(['open', 'data:server', 'data:client', 'close']);
    expect(cap.steps.some((s) => s.type === 'problem')).toBe(false);
  });

  test('only a SYN-ACK seen: its sender is the server, whatever the ports', () => {
    const a = ep('192.0.2.5', 8000);
    const b = ep('192.0.2.6', 9000);
    const t = new Talk(a, b).send(1, TCP_SYN | TCP_ACK).send(0, TCP_ACK).send(0, TCP_PSH | TCP_ACK, REQ);
    const cap = parseCapture(pcap(t.frames), { port: 0, allPorts: true })!;
    expect(cap.connections[0]).toMatchObject({ client: '192.0.2.5:8000', server: '192.0.2.6:9000' });
  });

  test('a reset ends the connection: who reset it, nothing after it', () => {
    const t = new Talk(client, server).handshake().send(0, TCP_PSH | TCP_ACK, REQ.subarray(0, 10))
      .send(1, TCP_RST | TCP_ACK).send(0, TCP_PSH | TCP_ACK, REQ.subarray(10));
    const cap = parseCapture(pcap(t.frames))!;
    expect(cap.connections[0]).toMatchObject({ end: 'reset', resetBy: 'server', closedAt: T * 1000 + 5 });
    expect(kinds(cap.steps)).toEqual(['open', 'data:client', 'reset:server', 'close']);
  });

  test('a FIN before a retransmitted segment counts only once the bytes before it are in', () => {
    const t = new Talk(client, server).handshake();
    const at = 101;
    t.send(0, TCP_PSH | TCP_ACK, REQ.subarray(20), { seq: at + 20 })
      .send(0, TCP_FIN | TCP_ACK, Buffer.alloc(0), { seq: at + REQ.length })
      .send(0, TCP_PSH | TCP_ACK, REQ.subarray(0, 20), { seq: at });
    const cap = parseCapture(pcap(t.frames))!;
    expect(kinds(cap.steps)).toEqual(['open', 'data:client', 'fin:client', 'close']);
    expect(bytesFrom(cap, cap.connections[0]!, 'client').equals(REQ)).toBe(true);
  });

  test('data still held when a RST comes is delivered (gap reported) before the reset', () => {
    const t = new Talk(client, server).handshake();
    t.send(0, TCP_PSH | TCP_ACK, REQ.subarray(20), { seq: 101 + 20 }).send(1, TCP_RST, Buffer.alloc(0));
    const cap = parseCapture(pcap(t.frames))!;
    expect(kinds(cap.steps)).toEqual(['open', 'problem', 'data:client', 'reset:server', 'close']);
  });

  test('port filter: other ports are counted and named; --port and --all-ports choose them', () => {
    const frames: RawFrame[] = [];
    new Talk(client, server, [1, 2], frames).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    new Talk(ep('192.0.2.10', 49800), ep('192.0.2.80', 80), [3, 4], frames).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    const file = pcap(frames);
    const def = parseCapture(file)!;
    expect(def.connections.map((c) => c.server)).toEqual(['192.0.2.1:1273']);
    expect([def.tcpConnections, def.otherPorts]).toEqual([2, [80]]);
    expect(parseCapture(file, { port: 80 })!.connections.map((c) => c.server)).toEqual(['192.0.2.80:80']);
    expect(parseCapture(file, { port: 1, allPorts: true })!.connections).toHaveLength(2);
    expect(parseCapture(file, { port: 443 })!.connections).toEqual([]);
  });

  test('two connections at once: steps stay in capture order across them', () => {
    const frames: RawFrame[] = [];
    const a = new Talk(client, server, [1, 2], frames);
    const b = new Talk(ep('192.0.2.11', 50000), server, [3, 4], frames);
    a.handshake();
    b.handshake();
    b.send(0, TCP_PSH | TCP_ACK, REQ);
    a.send(0, TCP_PSH | TCP_ACK, REQ);
    const cap = parseCapture(pcap(frames))!;
    expect(cap.steps.filter((s) => s.type === 'data').map((s) => s.conn.id)).toEqual([2, 1]);
  });

  test('the same ports used again after a close are a new connection', () => {
    const frames: RawFrame[] = [];
    new Talk(client, server, [1, 2], frames).handshake().send(0, TCP_PSH | TCP_ACK, REQ).send(0, TCP_FIN | TCP_ACK).send(1, TCP_FIN | TCP_ACK);
    new Talk(client, server, [50, 60], frames).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    const cap = parseCapture(pcap(frames))!;
    expect(cap.connections.map((c) => c.end)).toEqual(['fin', 'open']);
    expect(cap.connections.every((c) => bytesFrom(cap, c, 'client').equals(REQ))).toBe(true);
  });

  test('a new SYN with another sequence number on an open pair is a new connection; the same SYN again is not', () => {
    const frames: RawFrame[] = [];
    new Talk(client, server, [1, 2], frames).handshake().send(0, TCP_SYN, Buffer.alloc(0), { seq: 1 }).send(0, TCP_PSH | TCP_ACK, REQ);
    new Talk(client, server, [5000, 6000], frames).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    const cap = parseCapture(pcap(frames))!;
    expect(cap.connections).toHaveLength(2);
    expect(cap.connections.every((c) => bytesFrom(cap, c, 'client').equals(REQ))).toBe(true);
    expect(cap.steps.some((x) => x.type === 'problem')).toBe(false);
  });

  test('a packet cut by the snaplen is a problem, and its missing bytes a gap', () => {
    const t = new Talk(client, server).handshake().send(0, TCP_PSH | TCP_ACK, REQ, { cut: 5 }).send(0, TCP_PSH | TCP_ACK, RES);
    const cap = parseCapture(pcap(t.frames))!;
    const problems = cap.steps.flatMap((s) => (s.type === 'problem' ? [s.problem] : []));
    expect(problems.map((p) => [p.code, p.source, p.offset])).toEqual([['packet-truncated', 'client', 0], ['tcp-gap', 'client', REQ.length - 5]]);
    expect(bytesFrom(cap, cap.connections[0]!, 'client').equals(Buffer.concat([REQ.subarray(0, -5), RES]))).toBe(true);
  });

  test('IPv6 endpoints are written in brackets, like a live capture', () => {
    const t = new Talk(ep('2001:db8::10', 49712), ep('2001:db8::1', 1273)).handshake().send(0, TCP_PSH | TCP_ACK, REQ);
    expect(parseCapture(pcap(t.frames))!.connections[0]).toMatchObject({ client: '[2001:db8::10]:49712', server: '[2001:db8::1]:1273' });
  });

  test('IP fragments are skipped with one notice; non-TCP and non-IP frames silently', () => {
    const t = new Talk(client, server).handshake();
    const frag = Buffer.from(t.frames[0]!.data);
    frag.writeUInt16BE(0x2000, 6);
    const udp = Buffer.from(t.frames[0]!.data);
    udp[9] = 17;
    const cap = parseCapture(pcap([...t.frames, { sec: T, frac: 9, data: frag }, { sec: T, frac: 10, data: udp }]))!;
    expect(cap.notices).toMatchObject([{ code: 'ip-fragments', message: expect.stringMatching(/^1 IP fragment skipped/) }]);
    expect(cap.connections).toHaveLength(1);
  });

  test('not a capture file: undefined', () => {
    expect(parseCapture(REQ)).toBeUndefined();
  });
});
