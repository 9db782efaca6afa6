// pcap/pcapng input: reads a capture file and replays its reassembled TCP connections into a
// Recorder as if they were live — real addresses as peer/local, both directions in capture
// order with capture timestamps, FIN/RST as they happened, and gaps or cut packets as problem
// events (to any ChunkTarget: the Recorder, or replay's collector). Also `captureConnectionBytes`, for commands that only want each connection's bytes
// (replay). A capture is read whole into memory (its payload is kept once more while
// reassembled); the decoder itself streams.
import type { ConnectionInfo, Problem } from '../../model.js';
import type { Recorder } from '../../pipeline/recorder.js';
import { recorderTarget, type ChunkTarget, type ConnectionTarget } from './chunk-target.js';
import { type CapturedConnection, type TcpFilter } from '../pcap/capture.js';
import type { FileNotice } from '../pcap/frames.js';
import type { ParsedCapture } from '../pcap/capture.js';

export interface CaptureConnectionBytes {
  connection: CapturedConnection;
  /** Everything the client sent, reassembled (gaps skipped: see `problems`). */
  client: Buffer;
  /** Everything the server sent. */
  server: Buffer;
  problems: Problem[];
}

/** Each connection of a parsed capture with each side's reassembled bytes and its problems. */
export function captureConnectionBytes(cap: ParsedCapture): CaptureConnectionBytes[] {
  // One pass over the steps, not one per connection.
  const parts = new Map(cap.connections.map((c) => [c, { client: [] as Buffer[], server: [] as Buffer[], problems: [] as Problem[] }]));
  for (const s of cap.steps) {
    const p = parts.get(s.conn)!;
    if (s.type === 'data') p[s.source].push(s.bytes);
    else if (s.type === 'problem') p.problems.push(s.problem);
  }
  return cap.connections.map((connection) => {
    const p = parts.get(connection)!;
    return { connection, client: Buffer.concat(p.client), server: Buffer.concat(p.server), problems: p.problems };
  });
}

/** At most this many notices of one kind are printed; the rest are counted in one line. */
const NOTICES_PER_KIND = 3;

/** The capture's file-level notices as stderr lines, a flood of one kind summarised. */
export function formatNotices(name: string, notices: FileNotice[]): string[] {
  const seen = new Map<string, number>();
  const lines: string[] = [];
  for (const n of notices) {
    const k = (seen.get(n.code) ?? 0) + 1;
    seen.set(n.code, k);
    if (k <= NOTICES_PER_KIND) lines.push(`${name}: ${n.message}`);
  }
  for (const [code, k] of seen) if (k > NOTICES_PER_KIND) lines.push(`${name}: … and ${k - NOTICES_PER_KIND} more ${code} like these`);
  return lines;
}

/** One line for stderr when the capture had TCP but nothing on the chosen port. */
export function describeNoMatch(name: string, cap: ParsedCapture, filter: TcpFilter): string | undefined {
  if (filter.allPorts || cap.connections.length > 0) return undefined;
  if (cap.tcpConnections === 0) return `${name}: no TCP connections in this ${cap.format} file (${cap.frames} frames)`;
  const ports = cap.otherPorts.slice(0, 8).join(', ') + (cap.otherPorts.length > 8 ? ', …' : '');
  return `${name}: ${cap.tcpConnections} TCP connection${cap.tcpConnections === 1 ? '' : 's'}, none to or from port ${filter.port} (ports seen: ${ports}) — use --port <n> or --all-ports`;
}

/** Feeds every step of `cap` into `recorder`; connection ids start after `idBase`. Returns the
 * number of connections fed. */
export async function feedCapture(cap: ParsedCapture, recorder: Recorder, idBase: number): Promise<number> {
  return feedCaptureTo(cap, recorderTarget(recorder), idBase, 'capture');
}

/** feedCapture for any ChunkTarget; `name` (the file) labels each connection. */
export async function feedCaptureTo(cap: ParsedCapture, target: ChunkTarget, idBase: number, name: string): Promise<number> {
  const live = new Map<CapturedConnection, ConnectionTarget>();
  for (const step of cap.steps) {
    const c = step.conn;
    if (step.type === 'open') {
      const info: ConnectionInfo = { id: idBase + c.id, peer: c.client, local: c.server, openedAt: step.ts, bytesFromClient: 0, bytesFromServer: 0 };
      live.set(c, target.open(info, 'live', `${name} ${c.client} → ${c.server}`));
      continue;
    }
    const rec = live.get(c);
    if (!rec) continue;
    switch (step.type) {
      case 'data': {
        rec.push(step.source, step.bytes, step.ts);
        const wait = target.backpressure();
        if (wait) await wait;
        break;
      }
      case 'problem':
        rec.problem(step.problem, step.ts);
        break;
      case 'fin':
        rec.end(step.source, step.ts);
        break;
      case 'reset':
        rec.reset(step.source, step.ts);
        break;
      case 'close':
        rec.close(c.end === 'reset' ? `reset by the ${c.resetBy}` : c.end === 'open' ? 'still open when the capture ended' : undefined, step.ts);
        live.delete(c);
        break;
    }
  }
  return cap.connections.length;
}
