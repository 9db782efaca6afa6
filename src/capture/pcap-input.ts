// pcap/pcapng input: reads a capture file and replays its reassembled TCP connections into a
// Recorder as if they were live — real addresses as peer/local, both directions in capture
// order with capture timestamps, FIN/RST as they happened, and gaps or cut packets as problem
// events. Also `readCaptureConnections`, for commands that only want each connection's bytes
// (replay, diff). A capture is read whole into memory (its payload is kept once more while
// reassembled); the decoder itself streams.
import fs from 'node:fs';
import type { ConnectionInfo, Problem } from '../model.js';
import type { Recorder, ConnectionRecorder } from './recorder.js';
import { WerSniffError } from '../errors.js';
import { bytesFrom, parseCapture, WER_PORT, type CapturedConnection, type TcpFilter } from '../pcap/capture.js';
import type { ParsedCapture } from '../pcap/capture.js';

export interface CaptureConnectionBytes {
  connection: CapturedConnection;
  /** Everything the client sent, reassembled (gaps skipped: see `problems`). */
  client: Buffer;
  /** Everything the server sent. */
  server: Buffer;
  problems: Problem[];
}

/** The TCP connections of a pcap/pcapng file with each side's bytes; undefined when the file
 * is not a capture (by magic number). Throws WerSniffError when it cannot be read. */
export function readCaptureConnections(file: string, filter: TcpFilter = { port: WER_PORT }): CaptureConnectionBytes[] | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new WerSniffError('input-missing', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} — check the path`);
  }
  const cap = parseCapture(buf, filter);
  if (!cap) return undefined;
  return cap.connections.map((connection) => ({
    connection,
    client: bytesFrom(cap, connection, 'client'),
    server: bytesFrom(cap, connection, 'server'),
    problems: cap.steps.flatMap((s) => (s.conn === connection && s.type === 'problem' ? [s.problem] : [])),
  }));
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
  const live = new Map<CapturedConnection, ConnectionRecorder>();
  for (const step of cap.steps) {
    const c = step.conn;
    if (step.type === 'open') {
      const info: ConnectionInfo = { id: idBase + c.id, peer: c.client, local: c.server, openedAt: step.ts, bytesFromClient: 0, bytesFromServer: 0 };
      live.set(c, recorder.open(info, { layout: 'live' }));
      continue;
    }
    const rec = live.get(c);
    if (!rec) continue;
    switch (step.type) {
      case 'data': {
        rec.push(step.source, step.bytes, step.ts);
        const wait = recorder.backpressure();
        if (wait) await wait;
        break;
      }
      case 'problem':
        recorder.emit({ type: 'problem', ts: step.ts, connection: rec.connection, problem: step.problem });
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
