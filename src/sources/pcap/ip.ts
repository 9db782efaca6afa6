// IPv4 (RFC 791: options skipped by IHL, total length trims link padding) and IPv6 (RFC 8200:
// extension headers walked to the upper-layer header). Fragments are recognised and reported,
// not reassembled: WER traffic over TCP is not fragmented in practice, and a half-done
// reassembly would be worse than an honest notice. Pure.

export const PROTO_TCP = 6;

export interface IpPacket {
  family: 4 | 6;
  src: Buffer;
  dst: Buffer;
  /** Upper-layer protocol (6 = TCP) after any IPv6 extension headers. */
  protocol: number;
  payload: Buffer;
  /** Part of a fragmented datagram (not reassembled). */
  fragment: boolean;
  /** The packet is longer than what was captured (snaplen): `payload` is cut short. */
  truncated: boolean;
}

export type IpResult = IpPacket | { error: string };

/** IPv6 extension headers that share the "next header, length in 8-byte units" layout. */
const V6_EXT = new Set([0, 43, 60, 135, 139, 140, 253, 254]);
const V6_FRAGMENT = 44;
const V6_AH = 51;
const V6_NO_NEXT = 59;

export function parseIpPacket(buf: Buffer): IpResult {
  if (buf.length < 1) return { error: 'empty IP packet' };
  const version = buf[0]! >> 4;
  if (version === 4) return parseV4(buf);
  if (version === 6) return parseV6(buf);
  return { error: `IP version ${version} is neither 4 nor 6` };
}

function parseV4(buf: Buffer): IpResult {
  if (buf.length < 20) return { error: 'IPv4 header cut short' };
  const ihl = (buf[0]! & 0x0f) * 4;
  if (ihl < 20 || buf.length < ihl) return { error: `IPv4 header length ${ihl} is invalid or cut short` };
  const total = buf.readUInt16BE(2);
  // TSO captures on the sending host show total length 0 for large segments: trust the capture.
  const declared = total === 0 ? buf.length : total;
  if (declared < ihl) return { error: `IPv4 total length ${total} is shorter than its header` };
  const flagsFrag = buf.readUInt16BE(6);
  const moreFragments = (flagsFrag & 0x2000) !== 0;
  const fragOffset = flagsFrag & 0x1fff;
  return {
    family: 4,
    src: buf.subarray(12, 16),
    dst: buf.subarray(16, 20),
    protocol: buf[9]!,
    payload: buf.subarray(ihl, Math.min(declared, buf.length)),
    fragment: moreFragments || fragOffset !== 0,
    truncated: buf.length < declared,
  };
}

function parseV6(buf: Buffer): IpResult {
  if (buf.length < 40) return { error: 'IPv6 header cut short' };
  const payloadLen = buf.readUInt16BE(4);
  // Payload length 0 means a jumbogram (RFC 2675) or TSO: take what was captured.
  const declared = payloadLen === 0 ? buf.length : 40 + payloadLen;
  const end = Math.min(declared, buf.length);
  let next = buf[6]!;
  let off = 40;
  let fragment = false;
  for (;;) {
    if (next === V6_FRAGMENT) {
      if (off + 8 > end) return { error: 'IPv6 fragment header cut short' };
      // Offset 0 with M clear is an "atomic fragment" (RFC 6946): a whole packet.
      const fo = buf.readUInt16BE(off + 2);
      fragment ||= (fo & 0xfff8) !== 0 || (fo & 1) !== 0;
      next = buf[off]!;
      off += 8;
    } else if (V6_EXT.has(next) || next === V6_AH) {
      if (off + 2 > end) return { error: 'IPv6 extension header cut short' };
      const len = next === V6_AH ? (buf[off + 1]! + 2) * 4 : (buf[off + 1]! + 1) * 8;
      next = buf[off]!;
      off += len;
      if (off > end) return { error: 'IPv6 extension header runs past the packet' };
    } else break;
    if (next === V6_NO_NEXT) break;
  }
  return {
    family: 6, src: buf.subarray(8, 24), dst: buf.subarray(24, 40), protocol: next,
    payload: buf.subarray(off, end), fragment, truncated: buf.length < declared,
  };
}

/** An address as text: dotted IPv4, or IPv6 in RFC 5952 form (`::1`, `::ffff:1.2.3.4`). */
export function formatIp(ip: Buffer): string {
  if (ip.length === 4) return [...ip].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(ip.readUInt16BE(i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${[...ip.subarray(12)].join('.')}`;
  // The longest run of two or more zero groups becomes `::` (the first one on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
