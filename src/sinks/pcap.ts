// `-w, --write <file>`: a classic libpcap file (LINKTYPE_RAW, microsecond timestamps) that
// Wireshark and tshark open. We only see TCP payloads, so each connection's TCP is synthesised
// around them with the real addresses and ports (client = ConnectionInfo.peer, server = .local):
// a three-way handshake at open, the payload of every chunk in PSH|ACK segments
// (≤ MAX_SEGMENT_PAYLOAD bytes) with an ACK back, and the end as it happened — a FIN from each
// side that closed its half, when it did (ACKed by the other side), or a RST from the side that
// reset the connection. A side that never closed (still open when wer-sniff stopped, or whose
// end is unknown) gets no FIN: the file does not claim a close that did not happen. Every
// record is written at once (the file streams are synchronous), so a killed run leaves a file
// that opens. Payload bytes are exactly what was captured; headers, sequence numbers and ACKs
// are made up. When peer/local are not addresses (raw-file decode uses file names), fake ones
// stand in: client 10.0.0.x:491xx, server 10.0.1.x:1273. Raw input is one stream, so its
// responses travel client→server.
import { once } from 'node:events';
import { drainOf } from './drain.js';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, Sink } from '../model.js';
import {
  MAX_SEGMENT_PAYLOAD, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, mapToIpv6, parseEndpoint, toPcapHeader,
  toPcapRecord, toTcpPacket, type Endpoint,
} from './pcap-packets.js';

/** Server port used when the connection's `local` is not an address (offline decode). */
export const FAKE_SERVER_PORT = 1273;

interface Side {
  ep: Endpoint;
  /** Next sequence number this side sends. */
  next: number;
}

interface Flow {
  client: Side;
  server: Side;
  /** Sides that sent a FIN or RST. */
  done: Set<Direction>;
  reset: boolean;
}

export class PcapSink implements Sink {
  private readonly flows = new Map<number, Flow>();
  private ipId = 0;

  constructor(private readonly out: Writable, private readonly endOut = false) {
    this.out.write(toPcapHeader());
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'open') this.flow(ev.connection, ev.ts);
    else if (ev.type === 'close') this.flows.delete(ev.connection.id);
  }

  shutdown(conn: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void {
    const f = this.flow(conn, ts);
    if (f.reset || f.done.has(source)) return;
    f.done.add(source);
    const [from, to] = sides(f, source);
    if (how === 'reset') {
      f.reset = true;
      this.send(ts, from, to, TCP_RST | TCP_ACK);
      return;
    }
    this.send(ts, from, to, TCP_FIN | TCP_ACK);
    this.send(ts, to, from, TCP_ACK);
  }

  chunk(chunk: Chunk, conn: ConnectionInfo): void {
    const f = this.flow(conn, chunk.ts);
    // Bytes after a reset (should not happen) would confuse readers more than help them.
    if (f.reset) return;
    const [from, to] = sides(f, chunk.source);
    for (let i = 0; i < chunk.bytes.length; i += MAX_SEGMENT_PAYLOAD) {
      const payload = chunk.bytes.subarray(i, i + MAX_SEGMENT_PAYLOAD);
      this.send(chunk.ts, from, to, TCP_PSH | TCP_ACK, payload);
    }
    // The receiver acknowledges each chunk, as a real stack would; keeps the window open.
    this.send(chunk.ts, to, from, TCP_ACK);
  }

  /** The flow of `conn`, starting it with a handshake the first time it is seen. */
  private flow(conn: ConnectionInfo, ts: number): Flow {
    let f = this.flows.get(conn.id);
    if (f) return f;
    const [client, server] = endpoints(conn);
    // Fixed initial sequence numbers: the same capture always gives the same file.
    f = {
      client: { ep: client, next: (0x10000000 + conn.id * 0x10000) >>> 0 },
      server: { ep: server, next: (0x20000000 + conn.id * 0x10000) >>> 0 },
      done: new Set(),
      reset: false,
    };
    this.flows.set(conn.id, f);
    this.send(ts, f.client, f.server, TCP_SYN);
    this.send(ts, f.server, f.client, TCP_SYN | TCP_ACK);
    this.send(ts, f.client, f.server, TCP_ACK);
    return f;
  }

  /** Writes one segment from `from` to `to` and advances `from`'s sequence number. */
  private send(ts: number, from: Side, to: Side, flags: number, payload?: Buffer): void {
    const packet = toTcpPacket({
      src: from.ep, dst: to.ep, seq: from.next, ack: to.next, flags, payload,
      ipId: (this.ipId = (this.ipId + 1) & 0xffff),
    });
    // SYN and FIN each take one sequence number (RFC 9293 §3.4).
    const len = (payload?.length ?? 0) + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0);
    from.next = (from.next + len) >>> 0;
    for (const b of toPcapRecord(ts, packet)) this.out.write(b);
  }

  waitDrain(): Promise<void> | null {
    return drainOf(this.out);
  }

  async close(): Promise<void> {
    this.flows.clear();
    if (this.endOut) await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    else if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}

function sides(f: Flow, source: Direction): [from: Side, to: Side] {
  return source === 'client' ? [f.client, f.server] : [f.server, f.client];
}

/** Client and server endpoints of `conn`, with fake ones where peer/local are not addresses. */
export function endpoints(conn: ConnectionInfo): [client: Endpoint, server: Endpoint] {
  const n = ((conn.id - 1) % 254) + 1;
  let client = parseEndpoint(conn.peer) ?? { ip: Buffer.from([10, 0, 0, n]), port: 49152 + (conn.id % 16384) };
  let server = parseEndpoint(conn.local) ?? { ip: Buffer.from([10, 0, 1, n]), port: FAKE_SERVER_PORT };
  if (client.ip.length !== server.ip.length) {
    client = { ...client, ip: mapToIpv6(client.ip) };
    server = { ...server, ip: mapToIpv6(server.ip) };
  }
  return [client, server];
}
