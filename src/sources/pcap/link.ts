// From a link-layer frame to the IP packet inside it, for the link types WER traffic is
// captured on: Ethernet (with 802.1Q/802.1ad VLAN tags), Linux cooked SLL and SLL2, raw IP
// (LINKTYPE_RAW 101 and the DLT_RAW values 12/14 some files still carry, IPv4 228, IPv6 229)
// and BSD loopback (NULL 0 in the writer's byte order, LOOP 108 in network order).
// Anything that is not IPv4/IPv6 (ARP, LLDP...) is reported as `skip`, never an error.

import { LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2 } from '../../util/pcap-numbers.js';
export { LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2 };
/** DLT_RAW as some BSDs numbered it in files (12, and 14 on OpenBSD). */
const DLT_RAW_12 = 12;
const DLT_RAW_14 = 14;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = new Set([0x8100, 0x88a8, 0x9100]);
/** Address families in NULL/LOOP headers: AF_INET is 2 everywhere; AF_INET6 differs by OS
 * (Linux 10, BSD 24, FreeBSD 28, macOS 30). */
const AF_INET6 = new Set([10, 24, 28, 30]);

/** The IP packet, or why the frame holds none; `unsupported` when the whole link type is. */
export type LinkResult = { ip: Buffer } | { skip: string; unsupported?: boolean };

export function toIpPacket(linkType: number, frame: Buffer): LinkResult {
  switch (linkType) {
    case LINKTYPE_ETHERNET: return fromEthernet(frame);
    case LINKTYPE_RAW:
    case DLT_RAW_12:
    case DLT_RAW_14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: return frame.length ? { ip: frame } : { skip: 'empty frame' };
    case LINKTYPE_LINUX_SLL:
      return frame.length < 16 ? { skip: 'SLL header cut short' } : byEthertype(frame.readUInt16BE(14), frame.subarray(16));
    case LINKTYPE_LINUX_SLL2:
      return frame.length < 20 ? { skip: 'SLL2 header cut short' } : byEthertype(frame.readUInt16BE(0), frame.subarray(20));
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: return fromLoopback(linkType, frame);
    default: return { skip: `link type ${linkType} is not supported (Ethernet, Linux cooked, raw IP and loopback are)`, unsupported: true };
  }
}

function fromEthernet(frame: Buffer): LinkResult {
  let off = 12;
  if (frame.length < off + 2) return { skip: 'Ethernet header cut short' };
  let type = frame.readUInt16BE(off);
  while (ETHERTYPE_VLAN.has(type)) {
    off += 4;
    if (frame.length < off + 2) return { skip: 'VLAN tag cut short' };
    type = frame.readUInt16BE(off);
  }
  return byEthertype(type, frame.subarray(off + 2));
}

function byEthertype(type: number, payload: Buffer): LinkResult {
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return { ip: payload };
  return { skip: `not IP (ethertype 0x${type.toString(16).padStart(4, '0')})` };
}

function fromLoopback(linkType: number, frame: Buffer): LinkResult {
  if (frame.length < 4) return { skip: 'loopback header cut short' };
  // NULL stores the family in the capturing host's byte order: a value above 0xffff means
  // we read it the wrong way round.
  let family = linkType === LINKTYPE_LOOP ? frame.readUInt32BE(0) : frame.readUInt32LE(0);
  if (family > 0xffff) family = frame.readUInt32BE(0);
  if (family === 2 || AF_INET6.has(family)) return { ip: frame.subarray(4) };
  return { skip: `not IP (loopback family ${family})` };
}
