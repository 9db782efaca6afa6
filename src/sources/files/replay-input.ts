// What `replay` sends, from any input open-inputs.ts opens (raw, pcap/pcapng, HAR, report
// folders, a save-dir): the inputs are fed, like for `decode`, to a collector that keeps each
// connection's client bytes, which are then cut into the exact byte slices of their requests
// (split-requests.ts). Responses in a raw stream are skipped there; what the input says about a
// connection (a TCP gap, a body a HAR does not hold) becomes a note, and an incomplete request
// is never sent (nor one a TCP gap falls in: split-gaps.ts). Each input is held whole in memory: requests are sent as slices of it.
import type { ConnectionInfo, Direction, Problem } from '../../model.js';
import type { ReplaySource } from '../replay/source.js';
import { splitRequests } from '../replay/split-requests.js';
import { splitAroundGaps, type StreamGap } from '../replay/split-gaps.js';
import { WER_PORT, type TcpFilter } from '../pcap/capture.js';
import { append } from '../../util/append.js';
import type { ChunkTarget, ConnectionTarget } from './chunk-target.js';
import { feedInputs, openInputs } from './open-inputs.js';

interface Collected {
  name: string;
  client: Buffer[];
  notes: string[];
  /** Holes in the client's stream (pcap reassembly's `tcp-gap`), where its bytes are missing. */
  gaps: StreamGap[];
}

/** A ChunkTarget that keeps the client's bytes of each connection, in the order opened. */
export class ReplayCollector implements ChunkTarget {
  private readonly conns: Collected[] = [];

  open(connection: ConnectionInfo, _layout: unknown, label?: string): ConnectionTarget {
    const c: Collected = { name: label ?? connection.peer, client: [], notes: [], gaps: [] };
    this.conns.push(c);
    return {
      connection,
      push: (source: Direction, bytes: Buffer) => {
        if (source === 'client') c.client.push(bytes);
      },
      end: () => {},
      reset: () => {},
      close: () => {},
      problem: (p: Problem) => {
        // A gap's own message ends by saying the bytes after it follow directly: true of what
        // decode shows, not of what replay sends, so the gap note (split-gaps.ts) says that part.
        if (p.code === 'tcp-gap' && p.source === 'client') c.gaps.push({ offset: p.offset, what: p.message.replace(/; the bytes after the gap follow directly$/, '') });
        else c.notes.push(`${c.name}: ${p.message}`);
      },
    };
  }

  backpressure(): null {
    return null;
  }

  /** Each connection's requests, and every note, in order. */
  source(maxHeaderBytes?: number): ReplaySource {
    const out: ReplaySource = { connections: [], notes: [] };
    for (const c of this.conns) {
      append(out.notes, c.notes);
      const client = Buffer.concat(c.client);
      if (!client.length) continue;
      // A request a gap falls in is not sent; sending goes on from the next request line.
      const { connection, notes } = c.gaps.length
        ? splitAroundGaps(client, c.gaps, c.name, maxHeaderBytes)
        : splitRequests(client, c.name, maxHeaderBytes, c.notes.length > 0);
      out.connections.push(connection);
      append(out.notes, notes);
    }
    return out;
  }
}

export async function readReplaySource(files: string[], maxHeaderBytes?: number, filter: TcpFilter = { port: WER_PORT }): Promise<ReplaySource> {
  const inputs = openInputs(files);
  const collector = new ReplayCollector();
  const notes: string[] = [];
  await feedInputs(inputs, collector, { filter, onNotice: (m) => notes.push(m) });
  const source = collector.source(maxHeaderBytes);
  source.notes = [...notes, ...source.notes];
  return source;
}
