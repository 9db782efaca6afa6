// Where an opened input's bytes go: the same steps a live connection makes (open, bytes from
// either side, a half-close or reset, problems, close), so every input kind is fed by one
// interface. `recorderTarget` hands them to a Recorder — decode, check, diff and ls then run the
// live pipeline unchanged; replay-collector.ts keeps the client's bytes to send them again.
import type { ConnectionInfo, Direction, Problem } from '../../model.js';
import type { Recorder } from '../../pipeline/recorder.js';

/** How a connection's bytes are framed: `live` — client and server bytes apart (pcap, HAR,
 * report folders); `offline` — one stream of requests and responses back to back (raw files). */
export type InputLayout = 'live' | 'offline';

export interface ConnectionTarget {
  readonly connection: ConnectionInfo;
  push(source: Direction, bytes: Buffer, ts?: number): void;
  end(source: Direction, ts?: number): void;
  reset(source: Direction, ts?: number): void;
  /** `reason`: why it ended when not cleanly (reset, still open, cut). */
  close(reason?: string, ts?: number): void;
  /** Something the input says about this connection (a TCP gap, a body the HAR left out). */
  problem(problem: Problem, ts: number): void;
}

export interface ChunkTarget {
  /** `label`: how messages name the connection (`x.har connection 3`; default its peer). */
  open(connection: ConnectionInfo, layout: InputLayout, label?: string): ConnectionTarget;
  /** Resolves when the consumer wants the feeder to wait (a slow output), or null. */
  backpressure(): Promise<void> | null;
}

export function recorderTarget(recorder: Recorder): ChunkTarget {
  return {
    open(connection, layout) {
      const rec = recorder.open(connection, { layout });
      return {
        connection: rec.connection,
        push: (source, bytes, ts) => rec.push(source, bytes, ts),
        end: (source, ts) => rec.end(source, ts),
        reset: (source, ts) => rec.reset(source, ts),
        close: (reason, ts) => rec.close(reason, ts),
        problem: (problem, ts) => recorder.emit({ type: 'problem', ts, connection: rec.connection, problem }),
      };
    },
    backpressure: () => recorder.backpressure(),
  };
}
