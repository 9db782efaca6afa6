// Link layers to IP, IP to TCP: every supported link type around the same packet, VLAN tags,
// IPv4 options and fragments, IPv6 extension headers, and address formatting.
import { describe, expect, test } from 'vitest';
import { toIpPacket } from '../../../src/sources/pcap/link.js';
import { formatIp, parseIpPacket, type IpPacket } from '../../../src/sources/pcap/ip.js';
import { parseTcpSegment } from '../../../src/sources/pcap/tcp.js';
import { TCP_ACK, TCP_PSH, internetChecksum } from '../../../src/sinks/pcap-packets.js';
import { ep, ethernet, loopback, sll, sll2, tcpPacket } from '../../helpers/pcap-build.js';

const payload = Buffer.from('POST /stage2.htm HTTP/1.1\r\n');
const v4 = tcpPacket(ep('192.0.2.10', 49712), ep('192.0.2.1', 1273), 1000, TCP_PSH | TCP_ACK, payload, 5);
const v6 = tcpPacket(ep('2001:db8::10', 49712), ep('2001:db8::1', 1273), 1000, TCP_PSH | TCP_ACK, payload, 5);

function ipOf(linkType: number, frame: Buffer): Buffer {
  const r = toIpPacket(linkType, frame);
  if ('skip' in r) throw new Error(r.skip);
  return r.ip;
}

describe('link layers', () => {
  test.each([
    ['Ethernet', 1, (ip: Buffer) => ethernet(ip)],
    ['Ethernet + 802.1Q VLAN', 1, (ip: Buffer) => ethernet(ip, [42])],
    ['Ethernet + QinQ', 1, (ip: Buffer) => ethernet(ip, [1, 42])],
    ['Linux cooked SLL', 113, sll],
    ['Linux cooked SLL2', 276, sll2],
    ['LINKTYPE_RAW', 101, (ip: Buffer) => ip],
    ['DLT_RAW 12', 12, (ip: Buffer) => ip],
    ['DLT_RAW 14', 14, (ip: Buffer) => ip],
    ['NULL little-endian', 0, (ip: Buffer) => loopback(ip, ip[0]! >> 4 === 6 ? 30 : 2, true)],
    ['NULL big-endian', 0, (ip: Buffer) => loopback(ip, ip[0]! >> 4 === 6 ? 24 : 2, false)],
    ['LOOP (network order)', 108, (ip: Buffer) => loopback(ip, ip[0]! >> 4 === 6 ? 28 : 2, false)],
  ])('%s carries IPv4 and IPv6 unchanged', (_n, linkType, wrap) => {
    expect(ipOf(linkType, wrap(v4)).equals(v4)).toBe(true);
    expect(ipOf(linkType, wrap(v6)).equals(v6)).toBe(true);
  });

  test('LINKTYPE_IPV4 228 and LINKTYPE_IPV6 229', () => {
    expect(ipOf(228, v4).equals(v4)).toBe(true);
    expect(ipOf(229, v6).equals(v6)).toBe(true);
  });

  test('non-IP frames and unknown link types are skipped with a reason', () => {
    const arp = Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]);
    expect(toIpPacket(1, arp)).toEqual({ skip: 'not IP (ethertype 0x0806)' });
    expect(toIpPacket(0, loopback(v4, 7, true))).toEqual({ skip: 'not IP (loopback family 7)' });
    expect(toIpPacket(105, v4)).toMatchObject({ skip: expect.stringContaining('link type 105 is not supported') });
    expect(toIpPacket(113, Buffer.alloc(10))).toEqual({ skip: 'SLL header cut short' });
  });
});

describe('IP', () => {
  test('IPv4: addresses, protocol, payload = the TCP segment; Ethernet padding trimmed', () => {
    const padded = Buffer.concat([v4, Buffer.alloc(6)]);
    const ip = parseIpPacket(padded) as IpPacket;
    expect([ip.family, formatIp(ip.src), formatIp(ip.dst), ip.protocol, ip.fragment, ip.truncated]).toEqual([4, '192.0.2.10', '192.0.2.1', 6, false, false]);
    expect(ip.payload.equals(v4.subarray(20))).toBe(true);
  });

  test('IPv4 options are skipped by the header length', () => {
    const opts = Buffer.from([0x01, 0x01, 0x01, 0x00]); // NOP NOP NOP EOL
    const withOpts = Buffer.concat([v4.subarray(0, 20), opts, v4.subarray(20)]);
    withOpts[0] = 0x46;
    withOpts.writeUInt16BE(withOpts.length, 2);
    const ip = parseIpPacket(withOpts) as IpPacket;
    expect(parseTcpSegment(ip.payload)).toMatchObject({ sport: 49712, dport: 1273, seq: 1000, ack: 5, payload });
  });

  test('IPv4 fragments (MF set, or a fragment offset) are flagged', () => {
    const first = Buffer.from(v4);
    first.writeUInt16BE(0x2000, 6);
    const later = Buffer.from(v4);
    later.writeUInt16BE(0x0010, 6);
    expect((parseIpPacket(first) as IpPacket).fragment).toBe(true);
    expect((parseIpPacket(later) as IpPacket).fragment).toBe(true);
  });

  test('a packet cut by the snaplen is marked truncated', () => {
    expect((parseIpPacket(v4.subarray(0, v4.length - 5)) as IpPacket).truncated).toBe(true);
    expect((parseIpPacket(v6.subarray(0, v6.length - 5)) as IpPacket).truncated).toBe(true);
  });

  test('IPv6: hop-by-hop, destination options and an atomic fragment header are walked to TCP', () => {
    const tcp = v6.subarray(40);
    const hop = Buffer.from([60, 0, 1, 4, 0, 0, 0, 0]); // next: dest opts; PadN
    const dst = Buffer.from([44, 0, 1, 4, 0, 0, 0, 0]); // next: fragment
    const frag = Buffer.from([6, 0, 0, 0, 0, 0, 0, 1]); // offset 0, M clear: atomic
    const pkt = Buffer.concat([v6.subarray(0, 40), hop, dst, frag, tcp]);
    pkt[6] = 0;
    pkt.writeUInt16BE(pkt.length - 40, 4);
    const ip = parseIpPacket(pkt) as IpPacket;
    expect([ip.family, ip.protocol, ip.fragment, formatIp(ip.src)]).toEqual([6, 6, false, '2001:db8::10']);
    expect(ip.payload.equals(tcp)).toBe(true);
    // A real fragment (M set) is flagged.
    pkt[40 + 16 + 3] = 0x01;
    expect((parseIpPacket(pkt) as IpPacket).fragment).toBe(true);
  });

  test('garbage is an error, not an exception', () => {
    expect(parseIpPacket(Buffer.from([0x45, 0, 0]))).toEqual({ error: 'IPv4 header cut short' });
    expect(parseIpPacket(Buffer.from([0x20]))).toEqual({ error: 'IP version 2 is neither 4 nor 6' });
    expect(parseTcpSegment(Buffer.alloc(10))).toEqual({ error: 'TCP header cut short (10 bytes)' });
  });

  test('formatIp writes IPv6 the RFC 5952 way, like Node prints addresses', () => {
    const f = (hex: string) => formatIp(Buffer.from(hex, 'hex'));
    expect(f('00000000000000000000000000000001')).toBe('::1');
    expect(f('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1');
    expect(f('20010db8000100000001000100010001')).toBe('2001:db8:1:0:1:1:1:1');
    expect(f('00000000000000000000ffffc0000201')).toBe('::ffff:192.0.2.1');
    expect(f('fe800000000000000000000000000000')).toBe('fe80::');
  });

  test('the builder used here makes valid checksums (sanity of the test data)', () => {
    expect(internetChecksum([v4.subarray(0, 20)])).toBe(0);
  });
});
