// `relay`'s tap into the Recorder, as listener.ts is `listen`'s: a transparent byte-for-byte
// relay (on its own thread where built, relay-thread.ts) whose chunks, shutdowns and closes
// feed one ConnectionRecorder per connection — the same framers, conversation tracker,
// decoders and outputs as `listen`, for both directions. A decoder failure is shown as a
// problem and only stops the tap of that connection, never the forwarding.
import type { ConnectionRecorder, Recorder } from '../../pipeline/recorder.js';
import { startRelayThread, type RelayThreadHandle, type RelayThreadOptions } from './relay-thread.js';
import { formatAddress } from '../../util/address.js';

export type RecordingRelayOptions = Omit<RelayThreadOptions, 'onOpen' | 'onChunk' | 'onShutdown' | 'onClose' | 'holds'> & { recorder: Recorder };

export function startRecordingRelay(opts: RecordingRelayOptions): Promise<RelayThreadHandle> {
  const { recorder, ...relay } = opts;
  const taps = new Map<number, ConnectionRecorder>();
  const upstream = formatAddress(relay.to.host, relay.to.port);
  /** What the outputs said about the chunk onChunk took last (null: not backed up). */
  let outputsWait: Promise<void> | null = null;
  return startRelayThread({
    ...relay,
    onOpen(conn) {
      conn.upstream = upstream;
      // The recorder counts the bytes it is given; the relay counts its own on `conn`. One
      // shared object would show every byte twice in the close event.
      taps.set(conn.id, recorder.open({ ...conn }));
    },
    onChunk(chunk, conn) {
      // A decoder failure is caught inside push(): relaying and recording go on.
      taps.get(conn.id)?.push(chunk.source, chunk.bytes, chunk.ts);
      // A slow output (a terminal, a pipe nobody reads) slows this connection, not memory.
      return (outputsWait = recorder.backpressure());
    },
    // -o: this connection's bytes wait behind another's and, the temporary disk full, are
    // over their memory budget (raw.ts): it alone is not read until they fit again.
    // Asked right after onChunk for the same chunk: the outputs' own wait is already known.
    holds: (conn) => (outputsWait ? null : recorder.backpressure(conn.id)),
    onShutdown(conn, source, how) {
      const tap = taps.get(conn.id);
      if (how === 'reset') tap?.reset(source);
      else tap?.end(source);
    },
    onClose(conn, reason) {
      taps.get(conn.id)?.close(reason);
      taps.delete(conn.id);
    },
  });
}
