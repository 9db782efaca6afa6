// `wer-sniff listen`: a raw net.Server that records every byte each client sends, frames it,
// and (unless told not to) answers like a CER server. The pipeline decides the answers (the
// commands its push() returns); this file only carries them out: it writes them, records them
// as server bytes (so every output shows both sides) and reports them back. It never rewrites
// what it received.
import net from 'node:net';
import { once } from 'node:events';
import type { ConnectionInfo } from '../../model.js';
import { Recorder } from '../../pipeline/recorder.js';
import type { Command } from '../../pipeline/commands.js';
import { CerServer } from '../../domain/server/cer-server.js';
import { formatAddress } from '../../util/address.js';
import { formatSize } from '../../util/size.js';
import { SOCKET_THREAD_GC, earlyGc } from '../../pipeline/early-gc.js';
import { AfterAnswers } from './after-answers.js';
import { ConnectionGate, GATED_SERVER_OPTIONS, describeTlsError, idleReason, type GateOptions, type Refusal } from './gate.js';

/** Bytes read from one client before it waits for the next turn of the event loop: about a
 * millisecond of recording, so a 32 MB upload never holds up the answers to other clients for
 * the ~30 reads of 64 KiB the socket layer would otherwise hand over at once. */
export const READ_SHARE_BYTES = 256 * 1024;

export interface ListenerOptions {
  port: number;
  bind: string;
  recorder: Recorder;
  server: CerServer;
  /** Stop accepting after the first connection and resolve `done` when it closes. */
  once?: boolean;
  /** Access list, --max-conns, --idle-timeout, TLS (see gate.ts). */
  gate?: GateOptions;
  /** A connection was turned away before any byte was read (or its TLS handshake failed). */
  onRefused?(refusal: Refusal): void;
  /** One-line human messages (idle closes). */
  onNotice?(message: string): void;
}

export interface ListenerHandle {
  port: number;
  address: string;
  /** Resolves when the listener has stopped (after close(), or the `--once` connection). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Socket reads are garbage once recorded (an upload's spool and hash copy them): collected
 * while young, every few MB received, so a big upload does not hold ~64 MB of dead reads; and
 * a big body kept for decoding is freed once it died, not whenever V8 next looks (early-gc.ts). */
const readGarbage = earlyGc(SOCKET_THREAD_GC);

export async function startListener(opts: ListenerOptions): Promise<ListenerHandle> {
  const { recorder, server: cer } = opts;
  const sockets = new Set<net.Socket>();
  let nextId = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));

  const gate = new ConnectionGate(opts.gate ?? {}, (r) => opts.onRefused?.(r));
  const afterAnswers = new AfterAnswers();
  const server = net.createServer({ allowHalfOpen: true, ...GATED_SERVER_OPTIONS }, (raw) => {
    if (opts.once && nextId > 0) {
      raw.destroy();
      return;
    }
    gate.accept(raw, (socket) => serve(socket));
  });

  /** An admitted connection (plain, or TLS after its handshake: `socket` carries plaintext). */
  function serve(socket: net.Socket): void {
    if (opts.once && nextId > 0) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    if (opts.once) server.close();
    const connection: ConnectionInfo = {
      id: ++nextId,
      peer: formatAddress(socket.remoteAddress, socket.remotePort),
      ...((socket as { encrypted?: boolean }).encrypted ? { tls: true } : {}),
      local: formatAddress(socket.localAddress, socket.localPort),
      openedAt: Date.now(),
      bytesFromClient: 0,
      bytesFromServer: 0,
    };
    /** Carries out the pipeline's commands, in order: each answer is written (a huge report
     * whose outputs or checks are slow, or fail, is still answered at once: its event waits
     * for this), then reported back, so the pipeline frames it as the server's side. */
    const run = (commands: readonly Command[]): void => {
      for (const cmd of commands) {
        const ts = Date.now();
        if (!write(cmd.bytes, ts)) {
          afterAnswers.add(() => rec.unsent(cmd, ts));
          continue;
        }
        afterAnswers.add(() => rec.sent(cmd, ts));
        if (cmd.close) endOurSide();
      }
    };
    /** Records bytes for the client in the byte outputs (pcap, raw) and writes them. Recorded
     * first: a pcap cut by kill -9 never misses an answer the client got. False when the
     * socket is gone. */
    const write = (bytes: Buffer, ts: number): boolean => {
      if (socket.destroyed || socket.writableEnded) return false;
      rec.record('server', bytes, ts);
      // A client that sends requests but never reads the answers must not make us buffer
      // answers without end: stop reading it until it has taken what we wrote.
      if (!socket.write(bytes)) hold('client-not-reading', () => once(socket, 'drain'));
      return true;
    };
    /** After an answer that closes the connection: our FIN. */
    const endOurSide = (): void => {
      socket.end();
      afterAnswers.add(() => rec.end('server'));
    };
    const rec = recorder.open(connection, { responder: cer });

    /** Reasons reading is paused (slow outputs, a client not reading); resumed when none is left. */
    const holds = new Set<string>();
    const hold = (why: string, until: () => Promise<unknown>) => {
      if (holds.has(why)) return;
      holds.add(why);
      socket.pause();
      // A socket error rejects the wait; the error handler below deals with the connection.
      void until().then(() => {
        holds.delete(why);
        if (holds.size === 0 && !socket.destroyed) socket.resume();
      }, () => {});
    };
    /** Bytes read from this client in the current turn of the event loop (see READ_SHARE_BYTES). */
    let turnBytes = 0;
    const newTurn = (): void => void (turnBytes = 0);
    socket.on('data', (bytes: Buffer) => {
      run(rec.push('client', bytes));
      readGarbage(bytes.length);
      // This socket alone is paused, so sinks may hold back just this connection (raw.ts).
      const wait = recorder.backpressure(connection.id);
      if (wait) hold('outputs', () => wait);
      // A fast upload is read in up to 32 reads of 64 KiB per turn; past its share, it waits
      // for the next turn so that other clients' requests are read and answered in between.
      if (turnBytes === 0) setImmediate(newTurn);
      turnBytes += bytes.length;
      if (turnBytes >= READ_SHARE_BYTES) hold('next-turn', () => new Promise<void>((resolve) => setImmediate(resolve)));
    });
    let told = false;
    socket.on('timeout', () => {
      afterAnswers.flush();
      told = true;
      const reason = idleReason(opts.gate?.idleTimeoutMs ?? 0);
      opts.onNotice?.(`closed #${connection.id} ${connection.peer}: ${reason}; its ${formatSize(connection.bytesFromClient)} are kept`);
      rec.close(reason);
      socket.destroy();
    });
    socket.on('end', () => {
      afterAnswers.flush();
      run(rec.end('client'));
      // The client is done sending and every answer has been written (answers are sent
      // synchronously as requests complete), so close our side too.
      if (!socket.writableEnded) {
        socket.end();
        afterAnswers.add(() => rec.end('server'));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      afterAnswers.flush();
      // A reset from the client: shown as a RST in pcap output.
      if (err.code === 'ECONNRESET') rec.reset('client');
      // TLS 1.3: the client checks our certificate after our side of the handshake is done, so
      // "I don't trust you" arrives here, as an alert, not as a failed handshake.
      const tlsProblem = err.code?.startsWith('ERR_SSL_') ? describeTlsError(err) : undefined;
      if (tlsProblem) {
        told = true;
        opts.onNotice?.(`#${connection.id} ${connection.peer}: ${tlsProblem}`);
      }
      rec.close(tlsProblem ?? (err.code ? `${err.code}` : err.message));
    });
    socket.on('close', () => {
      afterAnswers.flush();
      // Clients that reject a certificate without an alert (node, some .NET) just hang up.
      if (!told && (socket as { encrypted?: boolean }).encrypted && connection.bytesFromClient === 0) {
        opts.onNotice?.(`#${connection.id} ${connection.peer}: closed right after the TLS handshake without a request — does it trust our certificate?`);
      }
      sockets.delete(socket);
      // Without an error, a socket that closes with our side still open was closed by us
      // (stopping): our FIN went out. The client's side stays as it was.
      rec.end('server');
      rec.close();
      if (opts.once) finish();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.bind }, () => {
      server.off('error', reject);
      // From now on errors come from accept() (EMFILE: out of descriptors): handled there,
      // never the end of the run.
      gate.guardAccepts(server, (line) => opts.onNotice?.(line));
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;

  return {
    port: addr.port,
    address: addr.address,
    done,
    async close() {
      // Each destroyed socket finishes its connection in its 'close' handler (the request it
      // was in the middle of, e.g. a cut-off PUT, is emitted there). Resolve only after that:
      // the caller closes the outputs next, and the conversation check ends the run there —
      // events arriving after it were judged against an emptied table (a false
      // put-path-not-issued for a DumpFile that was issued, a cab-not-uploaded beside it).
      const closed = [...sockets].map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        gate.destroyAll();
        if (!server.listening) resolve();
      });
      await Promise.all(closed);
      afterAnswers.flush();
      finish();
    },
  };
}
