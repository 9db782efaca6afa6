// What `replay` sends, from any input open-inputs.ts opens (raw, pcap/pcapng, HAR, report
// folders, a save-dir): the inputs are fed, like for `decode`, to a collector that keeps each
// connection's client bytes, which are then cut into the exact byte slices of their requests
// (split-requests.ts). Responses in a raw stream are skipped there; what the input says about a
// connection (a TCP gap, a body a HAR does not hold) becomes a note, and an incomplete request
// is never sent. Each input is held whole in memory: requests are sent as slices of it.
import type { ConnectionInfo, Direction, Problem } from '../../model.js';
import type { ReplaySource } from '../replay/source.js';
import { splitRequests } from '../replay/split-requests.js';
import { WER_PORT, type TcpFilter } from '../pcap/capture.js';
import { append } from '../../util/append.js';
import type { ChunkTarget, ConnectionTarget } from './chunk-target.js';
import { feedInputs, openInputs } from './open-inputs.js';

interface Collected {
  name: string;
  client: Buffer[];
  notes: string[];
}

/** A ChunkTarget that keeps the client's bytes of each connection, in the order opened. */
export class ReplayCollector implements ChunkTarget {
  private readonly conns: Collected[] = [];

  open(connection: ConnectionInfo, _layout: unknown, label?: string): ConnectionTarget {
    const c: Collected = { name: label ?? connection.peer, client: [], notes: [] };
    this.conns.push(c);
    return {
      connection,
      push: (source: Direction, bytes: Buffer) => {
        if (source === 'client') c.client.push(bytes);
      },
      end: () => {},
      reset: () => {},
      close: () => {},
      problem: (p: Problem) => c.notes.push(`${c.name}: ${p.message}`),
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
      const { connection, notes } = splitRequests(client, c.name, maxHeaderBytes, c.notes.length > 0);
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
