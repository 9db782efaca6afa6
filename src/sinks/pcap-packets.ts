// Byte builders for classic libpcap files (pcap 2.4, LINKTYPE_RAW): the file header, one record
// per packet, and IPv4/IPv6 + TCP packets with correct IP and TCP checksums (RFC 791, 8200,
// 9293 §3.1). Pure: no streams, no state. It builds only what wer-sniff synthesises around
// captured payloads — no fragmentation, no IP options, only the window-scale TCP option.
import net from 'node:net';
import { LINKTYPE_RAW, TCP_ACK, TCP_SYN } from '../util/pcap-numbers.js';

// The TCP flag bits and the link type (raw IP: each packet starts with its IPv4 or IPv6 header)
// are the reader's, in src/pcap; re-exported for writers.
export { LINKTYPE_RAW };
export { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../util/pcap-numbers.js';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_SNAPLEN = 262_144;
/** Largest TCP payload in one IPv4 packet: 65,535 − 20 (IP) − 20 (TCP). Used for IPv6 too. */
export const MAX_SEGMENT_PAYLOAD = 65_495;
/** Window scale shift announced in SYN and SYN-ACK, so large chunks fit in the window. */
export const WINDOW_SCALE = 7;

export interface Endpoint {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  ip: Buffer;
  port: number;
}

export interface TcpSegment {
  src: Endpoint;
  dst: Endpoint;
  seq: number;
  ack: number;
  flags: number;
  payload?: Buffer;
  /** IPv4 identification field (ignored for IPv6). */
  ipId?: number;
}

/** The 24-byte pcap file header: v2.4, microsecond timestamps, little-endian. */
export function toPcapHeader(linkType = LINKTYPE_RAW): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(PCAP_MAGIC, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  // thiszone and sigfigs stay 0.
  b.writeUInt32LE(PCAP_SNAPLEN, 16);
  b.writeUInt32LE(linkType, 20);
  return b;
}

/** One record header + packet; `ts` in ms since the epoch, stored as seconds + microseconds. */
export function toPcapRecord(ts: number, packet: Buffer): Buffer[] {
  const sec = Math.floor(ts / 1000);
  const usec = Math.min(999_999, Math.max(0, Math.round((ts - sec * 1000) * 1000)));
  const h = Buffer.alloc(16);
  h.writeUInt32LE(sec >>> 0, 0);
  h.writeUInt32LE(usec, 4);
  h.writeUInt32LE(Math.min(packet.length, PCAP_SNAPLEN), 8);
  h.writeUInt32LE(packet.length, 12);
  return [h, packet.length > PCAP_SNAPLEN ? packet.subarray(0, PCAP_SNAPLEN) : packet];
}

/** `a.b.c.d:port` or `[v6]:port` (as ConnectionInfo spells them); undefined for anything else. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  const ip = parseIp(m[1]!);
  return ip && port <= 0xffff ? { ip, port } : undefined;
}

/** IPv4 or IPv6 text to bytes (a zone `%eth0` is dropped); undefined when not an address. */
export function parseIp(text: string): Buffer | undefined {
  const addr = text.replace(/%.*$/, '');
  if (net.isIPv4(addr)) return Buffer.from(addr.split('.').map(Number));
  if (!net.isIPv6(addr)) return undefined;
  let s = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    s = s.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const groups = (p: string | undefined) => (p ? p.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** An IPv4 address as `::ffff:a.b.c.d`, so both ends of a packet share one family. */
export function mapToIpv6(ip: Buffer): Buffer {
  return ip.length === 16 ? ip : Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), ip]);
}

/** 16-bit one's-complement sum of `bufs` (all but the last must have even length). */
function sum16(bufs: Buffer[]): number {
  let acc = 0;
  for (const b of bufs) {
    const even = b.length & ~1;
    for (let i = 0; i < even; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
    if (b.length & 1) acc += b[b.length - 1]! << 8;
    // Fold now and then so the sum stays a small integer.
    acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  }
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

/** The Internet checksum (RFC 1071) over `bufs`. */
export function internetChecksum(bufs: Buffer[]): number {
  return ~sum16(bufs) & 0xffff;
}

/** A whole IP packet (IPv4 when both addresses are 4 bytes, else IPv6) carrying one TCP segment. */
export function toTcpPacket(seg: TcpSegment): Buffer {
  const payload = seg.payload ?? Buffer.alloc(0);
  const syn = (seg.flags & TCP_SYN) !== 0;
  // SYN and SYN-ACK carry MSS (RFC 9293 §3.7.1) and NOP + window scale (RFC 7323 §2.2).
  const tcpLen = syn ? 28 : 20;
  const tcp = Buffer.alloc(tcpLen);
  tcp.writeUInt16BE(seg.src.port, 0);
  tcp.writeUInt16BE(seg.dst.port, 2);
  tcp.writeUInt32BE(seg.seq >>> 0, 4);
  tcp.writeUInt32BE((seg.flags & TCP_ACK ? seg.ack : 0) >>> 0, 8);
  tcp[12] = (tcpLen / 4) << 4;
  tcp[13] = seg.flags;
  tcp.writeUInt16BE(0xffff, 14); // window; scaled by WINDOW_SCALE after the handshake
  if (syn) tcp.set([2, 4, MAX_SEGMENT_PAYLOAD >> 8, MAX_SEGMENT_PAYLOAD & 0xff, 1, 3, 3, WINDOW_SCALE], 20);
  const v4 = seg.src.ip.length === 4 && seg.dst.ip.length === 4;
  const src = v4 ? seg.src.ip : mapToIpv6(seg.src.ip);
  const dst = v4 ? seg.dst.ip : mapToIpv6(seg.dst.ip);
  const segLen = tcpLen + payload.length;
  // Pseudo-header: RFC 9293 §3.1 (IPv4), RFC 8200 §8.1 (IPv6).
  const pseudo = Buffer.alloc(v4 ? 12 : 40);
  if (v4) {
    src.copy(pseudo, 0);
    dst.copy(pseudo, 4);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(segLen, 10);
  } else {
    src.copy(pseudo, 0);
    dst.copy(pseudo, 16);
    pseudo.writeUInt32BE(segLen, 32);
    pseudo[39] = 6;
  }
  tcp.writeUInt16BE(internetChecksum([pseudo, tcp, payload]), 16);

  let ip: Buffer;
  if (v4) {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + segLen, 2);
    ip.writeUInt16BE((seg.ipId ?? 0) & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip[8] = 64;
    ip[9] = 6;
    src.copy(ip, 12);
    dst.copy(ip, 16);
    ip.writeUInt16BE(internetChecksum([ip]), 10);
  } else {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(segLen, 4);
    ip[6] = 6;
    ip[7] = 64;
    src.copy(ip, 8);
    dst.copy(ip, 24);
  }
  return Buffer.concat([ip, tcp, payload]);
}
