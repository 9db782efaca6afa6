// The `relay` action: a transparent byte-for-byte relay whose tap feeds the same Recorder,
// framers, decoders and outputs as `listen`, for both directions. A decoder failure is shown
// as a problem and only stops the tap of that connection, never the forwarding.
import { Recorder, type ConnectionRecorder } from '../capture/recorder.js';
import { startRelay } from '../capture/relay.js';
import { describeListenError } from '../errors.js';
import { createOutputs, type OutputFlags } from './outputs.js';
import { countingSink, serveUntilStopped } from './lifecycle.js';
import { formatAddress } from '../capture/address.js';

export interface RelayFlags extends OutputFlags {
  to: { host: string; port: number };
  port: number;
  bind: string;
  connectTimeout: number;
  onUpstreamError: 'close' | '502';
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

export async function runRelay(flags: RelayFlags): Promise<number> {
  const outputs = await createOutputs(flags, true);
  const counter = countingSink();
  const recorder = new Recorder({ sinks: [...outputs.sinks, counter], maxHeaderBytes: flags.maxHeaderBytes, maxBodyBytes: flags.maxBodyBytes });
  const taps = new Map<number, ConnectionRecorder>();
  const upstream = formatAddress(flags.to.host, flags.to.port);

  let handle;
  try {
    handle = await startRelay({
      port: flags.port,
      bind: flags.bind,
      to: flags.to,
      connectTimeoutMs: flags.connectTimeout,
      onUpstreamError: flags.onUpstreamError,
      onOpen(conn) {
        conn.upstream = upstream;
        taps.set(conn.id, recorder.open(conn));
      },
      onChunk(chunk, conn) {
        // A decoder failure is caught inside push(): relaying and recording go on.
        taps.get(conn.id)?.push(chunk.source, chunk.bytes, chunk.ts);
      },
      onClose(conn, reason) {
        taps.get(conn.id)?.close(reason);
        taps.delete(conn.id);
      },
      onNotice(message) {
        process.stderr.write(`wer-sniff: ${outputs.names ? outputs.names.redact(message) : message}\n`);
      },
    });
  } catch (err) {
    await recorder.close();
    throw describeListenError(err as NodeJS.ErrnoException, flags.bind, flags.port);
  }
  return serveUntilStopped(handle, `, relaying to ${upstream}`, recorder, outputs, () => counter.reports);
}
