// Fuzz target: the pcap/pcapng reader and TCP reassembly (src/pcap/). Seeds are classic pcaps
// built here around the HTTP seeds: handshake, the request in 1,400-byte segments, the answer,
// FINs — so mutations hit record headers, IP and TCP headers, sequence numbers and flags.
// Invariants: nothing throws; no direction of a connection yields more bytes than the file
// holds (reassembly never invents data); every step belongs to a listed connection.
import { parseCapture, type CapturedConnection } from '../../../sources/pcap/capture.js';
import {
  toPcapHeader, toPcapRecord, toTcpPacket, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type Endpoint,
} from '../../../sinks/pcap-packets.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { fail } from '../check.js';
import { isHttp, type FuzzTarget } from '../target.js';
import { append } from '../../../util/append.js';

const CLIENT: Endpoint = { ip: Buffer.from([192, 0, 2, 7]), port: 50123 };
const SERVER: Endpoint = { ip: Buffer.from([192, 0, 2, 1]), port: 1273 };
const SEGMENT = 1400;

/** A complete, well-formed TCP conversation carrying `request` and `answer` as one pcap. */
export function toSeedPcap(request: Buffer, answer: Buffer): Buffer {
  const parts: Buffer[] = [toPcapHeader()];
  let ts = 1_764_000_000_000;
  let cseq = 1000;
  let sseq = 900_000;
  const add = (src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, payload?: Buffer) =>
    append(parts, toPcapRecord(ts++, toTcpPacket({ src, dst, seq, ack, flags, payload })));
  add(CLIENT, SERVER, cseq++, 0, TCP_SYN);
  add(SERVER, CLIENT, sseq++, cseq, TCP_SYN | TCP_ACK);
  add(CLIENT, SERVER, cseq, sseq, TCP_ACK);
  for (let i = 0; i < request.length; i += SEGMENT) {
    const p = request.subarray(i, i + SEGMENT);
    add(CLIENT, SERVER, cseq, sseq, TCP_ACK | TCP_PSH, p);
    cseq += p.length;
  }
  for (let i = 0; i < answer.length; i += SEGMENT) {
    const p = answer.subarray(i, i + SEGMENT);
    add(SERVER, CLIENT, sseq, cseq, TCP_ACK | TCP_PSH, p);
    sseq += p.length;
  }
  add(CLIENT, SERVER, cseq++, sseq, TCP_FIN | TCP_ACK);
  add(SERVER, CLIENT, sseq++, cseq, TCP_FIN | TCP_ACK);
  add(CLIENT, SERVER, cseq, sseq, TCP_ACK);
  return Buffer.concat(parts);
}

const isResponse = (b: Buffer) => b.subarray(0, 5).toString('latin1') === 'HTTP/';

export const pcapTarget: FuzzTarget = {
  name: 'pcap',
  about: 'pcap/pcapng reader, link/IP/TCP decoding and stream reassembly (seeds: HTTP seeds wrapped in a TCP conversation)',
  seeds(files) {
    const http = files.filter(isHttp).map((f) => f.bytes);
    const answer = http.find(isResponse) ?? Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    return http.filter((b) => !isResponse(b)).slice(0, 8).map((req) => toSeedPcap(req, answer));
  },
  mutators: BYTE_MUTATORS,
  run(input) {
    for (const filter of [{ port: 1273 }, { port: 1273, allPorts: true }]) {
      const cap = parseCapture(input, filter);
      if (!cap) continue;
      // One pass: bytes per connection and direction.
      const sizes = new Map<CapturedConnection, { client: number; server: number }>(cap.connections.map((c) => [c, { client: 0, server: 0 }]));
      for (const step of cap.steps) {
        const size = sizes.get(step.conn);
        if (!size) fail('a step belongs to no listed connection');
        if (step.type === 'data') size[step.source] += step.bytes.length;
      }
      for (const [c, size] of sizes) {
        if (size.client + size.server > input.length) fail(`connection ${c.id} yields more bytes than the file holds`);
      }
    }
  },
};
