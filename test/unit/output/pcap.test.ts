// PcapSink and its packet builders on synthetic events and chunks: file header, handshake,
// sequence/ack numbers per direction, segment splitting, FINs, checksums, address handling.
import { describe, expect, test } from 'vitest';
import type { ConnectionInfo, Direction } from '../../../src/model.js';
import { PcapSink, endpoints } from '../../../src/sinks/pcap.js';
import {
  MAX_SEGMENT_PAYLOAD, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, internetChecksum, parseEndpoint, parseIp, toPcapHeader,
  toTcpPacket,
} from '../../../src/sinks/pcap-packets.js';
import { MemoryStream } from '../../helpers/streams.js';
import { payloadFrom, readPcap, type Packet } from '../../helpers/pcap-reader.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function conn(over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return { id: 1, peer: '192.0.2.10:49712', local: '192.0.2.1:1273', openedAt: T0, bytesFromClient: 0, bytesFromServer: 0, ...over };
}

type End = [Direction, 'fin' | 'reset'];
const BOTH_FIN: End[] = [['client', 'fin'], ['server', 'fin']];

/** Runs open, the given chunks, the given ends (at T0+100) and close through a PcapSink;
 * returns the parsed file. */
async function capture(c: ConnectionInfo, chunks: [Direction, Buffer][], ends: End[] = BOTH_FIN, close = true) {
  const out = new MemoryStream();
  const sink = new PcapSink(out);
  sink.event({ type: 'open', ts: T0, connection: c });
  chunks.forEach(([source, bytes], i) => sink.chunk({ connId: c.id, source, ts: T0 + i + 1, bytes }, c));
  for (const [source, how] of ends) sink.shutdown(c, source, how, T0 + 100);
  if (close) sink.event({ type: 'close', ts: T0 + 100, connection: c });
  await sink.close();
  return readPcap(out.buffer);
}

const flagsOf = (ps: Packet[]) => ps.map((p) => p.flags);

describe('pcap packets', () => {
  test('file header: magic a1b2c3d4, v2.4, snaplen 262144, LINKTYPE_RAW', () => {
    expect(toPcapHeader().toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + '00000400' + '65000000');
  });

  test('Internet checksum: RFC 1071 §3 example', () => {
    expect(internetChecksum([Buffer.from('0001f203f4f5f6f7', 'hex')])).toBe(~0xddf2 & 0xffff);
    // An odd length is padded with a zero byte.
    expect(internetChecksum([Buffer.from([0x01])])).toBe(~0x0100 & 0xffff);
  });

  test('addresses: IPv4, bracketed IPv6 (also :: and embedded IPv4, zone dropped); others undefined', () => {
    expect(parseEndpoint('127.0.0.1:1273')).toEqual({ ip: Buffer.from([127, 0, 0, 1]), port: 1273 });
    expect(parseEndpoint('[::1]:80')?.ip.toString('hex')).toBe('00000000000000000000000000000001');
    expect(parseEndpoint('[fe80::1%eth0]:80')?.ip.toString('hex')).toBe('fe800000000000000000000000000001');
    expect(parseIp('2001:db8:0:1:2:3:4:5')?.toString('hex')).toBe('20010db8000000010002000300040005');
    expect(parseIp('::ffff:10.1.2.3')?.toString('hex')).toBe('00000000000000000000ffff0a010203');
    for (const bad of ['file', 'samples/x.http', '(stdin)', '127.0.0.1', '[::1]', 'host.example:80', '1.2.3.4:70000']) {
      expect(parseEndpoint(bad)).toBeUndefined();
    }
  });

  test('IPv4 packet: header checksum verifies, lengths, DF, TTL, TCP checksum over the pseudo-header', () => {
    const payload = Buffer.from('hello, odd length');
    const p = toTcpPacket({
      src: { ip: Buffer.from([10, 0, 0, 1]), port: 5000 }, dst: { ip: Buffer.from([10, 0, 0, 2]), port: 80 },
      seq: 0xfffffff0, ack: 7, flags: TCP_PSH | TCP_ACK, payload, ipId: 9,
    });
    expect(p.length).toBe(20 + 20 + payload.length);
    expect(p.readUInt16BE(2)).toBe(p.length);
    expect([p[0], p[8], p[9], p.readUInt16BE(6), p.readUInt16BE(4)]).toEqual([0x45, 64, 6, 0x4000, 9]);
    expect(internetChecksum([p.subarray(0, 20)])).toBe(0);
    const pseudo = Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, 0, 20 + payload.length])]);
    expect(internetChecksum([pseudo, p.subarray(20)])).toBe(0);
    expect(p.readUInt32BE(24)).toBe(0xfffffff0);
    expect(p.subarray(40).equals(payload)).toBe(true);
  });

  test('IPv6 packet, and SYN carries MSS + window scale; IPv4 and IPv6 ends share IPv6', () => {
    const p = toTcpPacket({
      src: { ip: parseIp('::1')!, port: 5000 }, dst: { ip: Buffer.from([127, 0, 0, 1]), port: 80 }, seq: 1, ack: 0, flags: TCP_SYN,
    });
    expect(p[0]! >> 4).toBe(6);
    expect(p.readUInt16BE(4)).toBe(28);
    expect(p.subarray(24, 40).toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(p.subarray(60, 68).toString('hex')).toBe('0204ffd701030307');
    const pseudo = Buffer.concat([p.subarray(8, 40), Buffer.from([0, 0, 0, 28, 0, 0, 0, 6])]);
    expect(internetChecksum([pseudo, p.subarray(40)])).toBe(0);
  });
});

describe('PcapSink', () => {
  test('handshake, data both ways with ACKs, each FIN acknowledged; sequence numbers add up', async () => {
    const req = Buffer.from('POST /stage2.htm HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc');
    const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const f = await capture(conn(), [['client', req.subarray(0, 10)], ['client', req.subarray(10)], ['server', res]]);
    expect([f.magic, f.major, f.minor, f.snaplen, f.linkType]).toEqual([0xa1b2c3d4, 2, 4, 262144, 101]);
    const ps = f.packets;
    expect(flagsOf(ps)).toEqual([
      TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK,
      TCP_PSH | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_ACK,
      TCP_FIN | TCP_ACK, TCP_ACK, TCP_FIN | TCP_ACK, TCP_ACK,
    ]);
    const [syn, synAck, ack] = ps as [Packet, Packet, Packet];
    expect([syn.src, syn.sport, syn.dst, syn.dport]).toEqual(['192.0.2.10', 49712, '192.0.2.1', 1273]);
    expect(synAck.ack).toBe(syn.seq + 1);
    expect([ack.seq, ack.ack]).toEqual([syn.seq + 1, synAck.seq + 1]);
    // Each data segment starts where that side's previous one ended and acks the other side.
    expect([ps[3]!.seq, ps[5]!.seq, ps[7]!.seq]).toEqual([syn.seq + 1, syn.seq + 11, synAck.seq + 1]);
    expect(ps[7]!.ack).toBe(syn.seq + 1 + req.length);
    expect(ps[4]!.ack).toBe(syn.seq + 11);
    const [finC, ackS, finS, last] = ps.slice(-4) as [Packet, Packet, Packet, Packet];
    expect([finC.seq, finC.ack]).toEqual([syn.seq + 1 + req.length, synAck.seq + 1 + res.length]);
    expect([ackS.src, ackS.ack]).toEqual(['192.0.2.1', finC.seq + 1]);
    expect(finS.ack).toBe(finC.seq + 1);
    expect([last.seq, last.ack]).toEqual([finC.seq + 1, finS.seq + 1]);
    expect(payloadFrom(f, '192.0.2.10', 49712).equals(req)).toBe(true);
    expect(payloadFrom(f, '192.0.2.1', 1273).equals(res)).toBe(true);
    for (const p of ps) expect(internetChecksum([p.ip.subarray(0, 20)])).toBe(0);
  });

  test('microsecond timestamps come from the chunk; open and close use their event times', async () => {
    const f = await capture(conn(), [['client', Buffer.from('x')]]);
    expect(f.packets[0]!.ts).toBe(T0);
    expect(f.packets[3]!.ts).toBe(T0 + 1);
    expect(f.packets.at(-1)!.ts).toBe(T0 + 100);
  });

  test('a reset ends with one RST|ACK from the side that reset, nothing after it', async () => {
    const f = await capture(conn(), [['client', Buffer.from('POST / HTTP/1.1\r\n')]], [['client', 'reset'], ['server', 'fin']]);
    const last = f.packets.at(-1)!;
    expect(last.flags).toBe(TCP_RST | TCP_ACK);
    expect([last.src, last.seq]).toEqual(['192.0.2.10', f.packets[0]!.seq + 1 + 17]);
    expect(f.packets.filter((p) => p.flags & (TCP_RST | TCP_FIN))).toHaveLength(1);
  });

  test('only the side that closed gets a FIN (server stopped, client still open)', async () => {
    const f = await capture(conn(), [['client', Buffer.from('x')]], [['server', 'fin']]);
    const fins = f.packets.filter((p) => p.flags & TCP_FIN);
    expect(fins.map((p) => p.src)).toEqual(['192.0.2.1']);
    expect(f.packets.at(-1)!).toMatchObject({ src: '192.0.2.10', flags: TCP_ACK, ack: fins[0]!.seq + 1 });
  });

  test('a chunk larger than one segment is split at MAX_SEGMENT_PAYLOAD bytes', async () => {
    const big = Buffer.alloc(2 * MAX_SEGMENT_PAYLOAD + 123, 0x41);
    big.write('PUT /x HTTP/1.1\r\n');
    const f = await capture(conn(), [['client', big]]);
    const data = f.packets.filter((p) => p.payload.length > 0);
    expect(data.map((p) => p.payload.length)).toEqual([MAX_SEGMENT_PAYLOAD, MAX_SEGMENT_PAYLOAD, 123]);
    expect(data[1]!.seq - data[0]!.seq).toBe(MAX_SEGMENT_PAYLOAD);
    expect(payloadFrom(f, '192.0.2.10', 49712).equals(big)).toBe(true);
    for (const p of data) expect(p.ip.readUInt16BE(2)).toBe(40 + p.payload.length);
  });

  test('IPv6 connections get IPv6 headers', async () => {
    const f = await capture(conn({ peer: '[2001:db8::10]:50000', local: '[2001:db8::1]:1273' }), [['client', Buffer.from('GET / HTTP/1.1\r\n\r\n')]]);
    expect(f.packets.every((p) => p.v6)).toBe(true);
    expect(f.packets[0]!.src).toBe('2001:db8:0:0:0:0:0:10');
  });

  test('connections without addresses (offline decode) get fake 10.0.0.x → 10.0.1.x:1273 ones', () => {
    const [c, s] = endpoints(conn({ id: 3, peer: 'samples/level1.http', local: 'file' }));
    expect([[...c.ip], [...s.ip], s.port]).toEqual([[10, 0, 0, 3], [10, 0, 1, 3], 1273]);
    expect(c.port).toBe(49152 + 3);
    const [c2] = endpoints(conn({ id: 2, peer: '(stdin)', local: 'file' }));
    expect(c2.port).not.toBe(c.port);
  });

  test('a chunk of a connection never opened starts one; a connection still open at close gets no FIN', async () => {
    const out = new MemoryStream();
    const sink = new PcapSink(out);
    const c = conn({ id: 7 });
    sink.chunk({ connId: 7, source: 'client', ts: T0, bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') }, c);
    await sink.close();
    expect(flagsOf(readPcap(out.buffer).packets)).toEqual([TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_ACK]);
  });

  test('an empty run is still a valid pcap file (header only); endOut ends the stream', async () => {
    const out = new MemoryStream();
    const sink = new PcapSink(out, true);
    await sink.close();
    expect(out.buffer.length).toBe(24);
    expect(out.writableEnded).toBe(true);
  });
});
