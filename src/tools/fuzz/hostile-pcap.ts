// Red-team captures for the pcap reader, shared by the regression tests and the figures
// script bench/hostile.js (kept in src/fuzz, not test/, so that script can import it from
// dist/fuzz; dist/fuzz is not packaged). One client connection to port 1273 whose request
// arrives as many small segments behind a missing first byte (the reassembler must hold them
// all), in order or reversed; and a request whose every segment is retransmitted with
// different bytes. Classic pcap, raw-IP frames; no ACK from the server, so nothing gives the
// hole up before the capture ends.
import { toPcapHeader, toPcapRecord, toTcpPacket, TCP_ACK, TCP_PSH, TCP_SYN, type Endpoint } from '../../sinks/pcap-packets.js';

export const CLIENT: Endpoint = { ip: Buffer.from([192, 0, 2, 7]), port: 50123 };
export const SERVER: Endpoint = { ip: Buffer.from([192, 0, 2, 1]), port: 1273 };
const ISN = 1000;
const T0 = 1_764_000_000_000;

/** A POST /stage2.htm whose body makes the request `size` bytes long (ASCII, so any byte
 * offset is a character). */
export function bigRequest(size: number): Buffer {
  const head = (n: number) => `POST /stage2.htm HTTP/1.1\r\nHost: h\r\nContent-Length: ${n}\r\n\r\n`;
  let n = Math.max(0, size - head(size).length);
  n = Math.max(0, size - head(n).length);
  return Buffer.concat([Buffer.from(head(n), 'latin1'), Buffer.alloc(n, 0x61)]);
}

class PcapBuilder {
  private readonly parts: Buffer[] = [toPcapHeader()];
  private ts = T0;
  add(seq: number, flags: number, payload?: Buffer): void {
    for (const b of toPcapRecord(this.ts++, toTcpPacket({ src: CLIENT, dst: SERVER, seq: seq >>> 0, ack: 0, flags, payload }))) this.parts.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** `segments` segments of `segSize` bytes after the handshake, the first byte of the stream
 * never sent: everything waits behind that hole until the capture ends. `reverse` sends them
 * last first (each one then goes to the front of what waits). */
export function segmentsBehindHole(segments: number, segSize: number, opts: { reverse?: boolean } = {}): { pcap: Buffer; request: Buffer } {
  const request = bigRequest(1 + segments * segSize);
  const b = new PcapBuilder();
  b.add(ISN, TCP_SYN);
  const order = Array.from({ length: segments }, (_, i) => (opts.reverse ? segments - 1 - i : i));
  for (const i of order) {
    const off = 1 + i * segSize;
    b.add(ISN + 1 + off, TCP_ACK | TCP_PSH, request.subarray(off, off + segSize));
  }
  return { pcap: b.done(), request };
}

/** `segments` in-order segments of `segSize` bytes, each followed by a retransmission of
 * itself whose last byte differs: the first copies were delivered at once, so only a
 * reassembler that remembers delivered bytes can see the conflicts. */
export function conflictingRetransmissions(segments: number, segSize: number): { pcap: Buffer; request: Buffer } {
  const request = bigRequest(segments * segSize);
  const b = new PcapBuilder();
  b.add(ISN, TCP_SYN);
  for (let i = 0; i < segments; i++) {
    const off = i * segSize;
    const seg = request.subarray(off, off + segSize);
    b.add(ISN + 1 + off, TCP_ACK | TCP_PSH, seg);
    const evil = Buffer.from(seg);
    evil[evil.length - 1] ^= 0x20;
    b.add(ISN + 1 + off, TCP_ACK | TCP_PSH, evil);
  }
  return { pcap: b.done(), request };
}
