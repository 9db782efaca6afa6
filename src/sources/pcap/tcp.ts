// The TCP header (RFC 9293 §3.1): ports, sequence and acknowledgement numbers, flags, and the
// payload after the data offset. Options are skipped; checksums are not verified (captures
// taken on the sending host carry offloaded, not-yet-computed checksums). Pure.

export { TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK } from '../../util/pcap-numbers.js';

export interface TcpSegment {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
}

export function parseTcpSegment(buf: Buffer): TcpSegment | { error: string } {
  if (buf.length < 20) return { error: `TCP header cut short (${buf.length} bytes)` };
  const dataOffset = (buf[12]! >> 4) * 4;
  if (dataOffset < 20) return { error: `TCP data offset ${dataOffset} is below the 20-byte minimum` };
  if (dataOffset > buf.length) return { error: 'TCP options cut short' };
  return {
    sport: buf.readUInt16BE(0),
    dport: buf.readUInt16BE(2),
    seq: buf.readUInt32BE(4),
    ack: buf.readUInt32BE(8),
    flags: buf[13]!,
    payload: buf.subarray(dataOffset),
  };
}
