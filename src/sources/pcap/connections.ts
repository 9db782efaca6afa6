// TCP connections from a capture: frames → IP → TCP, grouped by address/port pair, each
// direction reassembled (reassembly.ts), and turned into one time-ordered list of steps
// (open, data, problem, fin, reset, close) across all connections — what a live listener would
// have seen. Client and server: the side that sent the SYN is the client; without a SYN, the
// side that sent the SYN-ACK is the server; else the side on the filter port; else the lower
// port. Only connections to or from `port` are kept unless `allPorts`. Pure.
import type { Direction, Problem } from '../../model.js';
import { formatAddress } from '../../util/address.js';
import type { FileNotice, Frame } from './frames.js';
import { toIpPacket } from './link.js';
import { formatIp, parseIpPacket, PROTO_TCP } from './ip.js';
import { HalfStream, type PushResult } from './reassembly.js';
import { parseTcpSegment, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './tcp.js';

export interface TcpFilter {
  /** Keep connections with this port on either side (default 1273)... */
  port: number;
  /** ...or every TCP connection. */
  allPorts?: boolean;
}

/** How a connection ended in the capture. */
export type ConnectionEnd = 'fin' | 'reset' | 'open';

export interface CapturedConnection {
  id: number;
  /** `address:port` of the client and server, formatted like a live capture's. */
  client: string;
  server: string;
  openedAt: number;
  closedAt?: number;
  /** True when the handshake (a SYN) is in the capture. */
  handshake: boolean;
  end: ConnectionEnd;
  /** Which side reset the connection, when `end` is `reset`. */
  resetBy?: Direction;
}

/** One thing that happened, in capture order. `data` is in-order reassembled payload. */
export type CaptureStep = { conn: CapturedConnection; ts: number } & (
  | { type: 'open' }
  | { type: 'data'; source: Direction; bytes: Buffer }
  | { type: 'problem'; problem: Problem }
  | { type: 'fin'; source: Direction }
  | { type: 'reset'; source: Direction }
  | { type: 'close' }
);

export interface TcpCapture {
  connections: CapturedConnection[];
  steps: CaptureStep[];
  notices: FileNotice[];
  /** TCP connections in the file, kept or not, and the ports of the ones left out. */
  tcpConnections: number;
  otherPorts: number[];
}

type Side = 0 | 1;

interface Flow {
  conn: CapturedConnection;
  ends: [{ ip: string; port: number }, { ip: string; port: number }];
  /** The first end as raw address bytes and port: how each segment's side is told. */
  firstEnd: string;
  halves: [HalfStream, HalfStream];
  synFrom?: Side;
  synAckFrom?: Side;
  /** Sequence number of the client's SYN. */
  synSeq?: number;
  finFrom: Set<Side>;
  /** Steps with sides not yet resolved to client/server (decided once the flow is complete). */
  steps: { step: CaptureStep; side?: Side }[];
  closed: boolean;
}

export function toTcpCapture(frames: Iterable<Frame>, filter: TcpFilter): TcpCapture {
  const notices: FileNotice[] = [];
  const flows = new Map<string, Flow>();
  const all: { step: CaptureStep; side?: Side; flow: Flow }[] = [];
  const finished: Flow[] = [];
  const seen = new Set<string>();
  const otherPorts = new Set<number>();
  let nextId = 0;
  let fragments = 0;
  const unsupported = new Set<number>();
  let lastTs = 0;

  for (const frame of frames) {
    lastTs = frame.ts;
    const link = toIpPacket(frame.linkType, frame.data);
    if ('skip' in link) {
      if (link.unsupported && !unsupported.has(frame.linkType)) {
        unsupported.add(frame.linkType);
        notices.push({ code: 'unsupported-link-type', frame: frame.index, message: `frame ${frame.index}: ${link.skip}; frames of this type skipped` });
      }
      continue;
    }
    const ip = parseIpPacket(link.ip);
    if ('error' in ip) {
      notices.push({ code: 'bad-ip', frame: frame.index, message: `frame ${frame.index}: ${ip.error}; skipped` });
      continue;
    }
    if (ip.protocol !== PROTO_TCP) continue;
    if (ip.fragment) { fragments++; continue; }
    const tcp = parseTcpSegment(ip.payload);
    if ('error' in tcp) {
      notices.push({ code: 'bad-tcp', frame: frame.index, message: `frame ${frame.index}: ${tcp.error}${ip.truncated ? ' (cut by the snaplen)' : ''}; skipped` });
      continue;
    }
    // Keys from the raw address bytes: formatting addresses (IPv6 zero runs) is left to the
    // few segments that open a flow, not every segment of every stream in the file.
    const a = `${ip.src.toString('latin1')}|${tcp.sport}`;
    const b = `${ip.dst.toString('latin1')}|${tcp.dport}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    seen.add(key);
    if (!filter.allPorts && tcp.sport !== filter.port && tcp.dport !== filter.port) {
      otherPorts.add(Math.min(tcp.sport, tcp.dport));
      continue;
    }
    let flow = flows.get(key);
    const isSyn = (tcp.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    // A new SYN on a finished (or reset) pair, or one with another initial sequence number, is
    // a new connection reusing the ports; the same SYN again is a retransmission.
    if (flow && isSyn && (flow.closed || flow.finFrom.size > 0 || (flow.synSeq !== undefined && flow.synSeq !== tcp.seq))) {
      closeFlow(flow, frame.ts);
      finished.push(flow);
      flows.delete(key);
      flow = undefined;
    }
    if (!flow) {
      const conn: CapturedConnection = { id: ++nextId, client: '', server: '', openedAt: frame.ts, handshake: false, end: 'open' };
      const ends: Flow['ends'] = [{ ip: formatIp(ip.src), port: tcp.sport }, { ip: formatIp(ip.dst), port: tcp.dport }];
      flow = { conn, ends, firstEnd: a, halves: [new HalfStream(), new HalfStream()], finFrom: new Set(), steps: [], closed: false };
      flows.set(key, flow);
      add(flow, { conn, ts: frame.ts, type: 'open' });
    }
    if (flow.closed) continue;
    const side: Side = flow.firstEnd === a ? 0 : 1;
    const ts = frame.ts;
    if (tcp.flags & TCP_SYN) {
      flow.halves[side].syn(tcp.seq);
      if (tcp.flags & TCP_ACK) flow.synAckFrom ??= side;
      else {
        flow.synFrom ??= side;
        flow.synSeq ??= tcp.seq;
      }
      flow.conn.handshake = true;
    }
    if (ip.truncated) {
      const offset = flow.halves[side].delivered;
      add(flow, { conn: flow.conn, ts, type: 'problem', problem: { code: 'packet-truncated', source: 'client', offset, message: `frame ${frame.index} was cut by the capture's snaplen (${frame.data.length} of ${frame.origLen} bytes): the rest of its payload is missing` } }, side);
    }
    // Data (and a FIN) first, then what this segment acknowledges of the other direction.
    const seq = tcp.flags & TCP_SYN ? (tcp.seq + 1) % 2 ** 32 : tcp.seq;
    const fin = (tcp.flags & TCP_FIN) !== 0;
    if (tcp.payload.length || fin) emit(flow, side, ts, flow.halves[side].push(seq, tcp.payload, fin));
    if (tcp.flags & TCP_ACK) emit(flow, (1 - side) as Side, ts, flow.halves[1 - side]!.acked(tcp.ack));
    // A FIN counts once every byte before it is in (it may arrive before a retransmission).
    finIfReached(flow, side, ts);
    finIfReached(flow, (1 - side) as Side, ts);
    if (tcp.flags & TCP_RST) closeFlow(flow, ts, side);
    else if (flow.finFrom.size === 2) closeFlow(flow, ts);
  }

  for (const flow of flows.values()) {
    if (!flow.closed) closeFlow(flow, lastTs);
    finished.push(flow);
  }
  if (fragments) notices.push({ code: 'ip-fragments', message: `${fragments} IP fragment${fragments === 1 ? '' : 's'} skipped (fragments are not reassembled): the TCP streams they belong to show gaps` });

  // Resolve sides to client/server now that each flow's SYN, SYN-ACK or ports are known.
  const connections = finished.map((f) => f.conn).sort((x, y) => x.id - y.id);
  for (const flow of finished) resolveRoles(flow, filter);
  const steps: CaptureStep[] = [];
  for (const { step } of all) steps.push(step);
  return { connections, steps, notices, tcpConnections: seen.size, otherPorts: [...otherPorts].sort((x, y) => x - y) };

  function add(flow: Flow, step: CaptureStep, side?: Side): void {
    const entry = { step, side, flow };
    flow.steps.push(entry);
    all.push(entry);
  }

  function emit(flow: Flow, side: Side, ts: number, r: PushResult): void {
    for (const p of r.problems) add(flow, { conn: flow.conn, ts, type: 'problem', problem: { code: p.code, source: 'client', offset: p.offset, message: p.message } }, side);
    if (r.data.length) add(flow, { conn: flow.conn, ts, type: 'data', source: 'client', bytes: r.data }, side);
  }

  function finIfReached(flow: Flow, side: Side, ts: number): void {
    if (flow.finFrom.has(side) || !flow.halves[side].finReached) return;
    flow.finFrom.add(side);
    add(flow, { conn: flow.conn, ts, type: 'fin', source: 'client' }, side);
  }

  /** Ends a flow: what is still held is delivered (gaps reported), then the FINs, the RST
   * from `resetBy` if any, and the close — so no data ever follows its connection's end. */
  function closeFlow(flow: Flow, ts: number, resetBy?: Side): void {
    if (flow.closed) return;
    flow.closed = true;
    for (const side of [0, 1] as const) {
      emit(flow, side, ts, flow.halves[side].finish());
      finIfReached(flow, side, ts);
    }
    if (resetBy !== undefined) {
      flow.conn.end = 'reset';
      add(flow, { conn: flow.conn, ts, type: 'reset', source: 'client' }, resetBy);
    } else if (flow.finFrom.size === 2) flow.conn.end = 'fin';
    flow.conn.closedAt = flow.conn.end === 'open' ? undefined : ts;
    add(flow, { conn: flow.conn, ts, type: 'close' });
  }
}

function resolveRoles(flow: Flow, filter: TcpFilter): void {
  const [e0, e1] = flow.ends;
  let client: Side;
  if (flow.synFrom !== undefined) client = flow.synFrom;
  else if (flow.synAckFrom !== undefined) client = (1 - flow.synAckFrom) as Side;
  else if (e0.port === filter.port && e1.port !== filter.port) client = 1;
  else if (e1.port === filter.port && e0.port !== filter.port) client = 0;
  else client = e0.port < e1.port ? 1 : 0;
  const dir = (side: Side): Direction => (side === client ? 'client' : 'server');
  const c = flow.ends[client];
  const s = flow.ends[1 - client]!;
  flow.conn.client = formatAddress(c.ip, c.port);
  flow.conn.server = formatAddress(s.ip, s.port);
  for (const { step, side } of flow.steps) {
    if (side === undefined) continue;
    const source = dir(side);
    if (step.type === 'problem') step.problem.source = source;
    else if (step.type === 'data' || step.type === 'fin' || step.type === 'reset') step.source = source;
    if (step.type === 'reset') flow.conn.resetBy = source;
  }
}
