// The relay: accepts TCP clients and gives each one its own upstream connection, forwards the
// bytes unchanged both ways (backpressure, half-close, resets mirrored) and taps every chunk
// after it was handed to the other socket. It deliberately knows nothing about HTTP (except the
// optional canned 502 when the upstream cannot be reached), never retries and never pools.
import net from 'node:net';
import tls from 'node:tls';
import type { Chunk, ConnectionInfo } from '../../model.js';
import { describeUpstreamError, makeBadGateway, toListenError } from './relay-text.js';
import { Hold } from './socket-hold.js';
import { formatAddress } from '../../util/address.js';
import { formatSize } from '../../util/size.js';
import { ConnectionGate, GATED_SERVER_OPTIONS, describeTlsError, idleReason, type GateOptions, type Refusal } from './gate.js';

export { parseHostPort } from './relay-text.js';

export interface RelayOptions {
  /** Listen side; port 0 picks a free port. */
  port: number;
  bind: string;
  /** Upstream every client is relayed to (one upstream connection per client). */
  to: { host: string; port: number };
  /** Give up on an upstream that has not accepted the connection after this long. */
  connectTimeoutMs: number;
  /** What a client gets when its upstream can't be reached: a plain close, or an HTTP 502. */
  onUpstreamError: 'close' | '502';
  /** Called for every chunk, in order, per direction, AFTER it was handed to the other
   * socket's write (the tap never delays forwarding). Client bytes are tapped even when they
   * can no longer be forwarded (upstream failed); the canned 502 is not tapped. An exception
   * thrown here is not caught: recording must not fail silently. A returned promise means the
   * tap is backed up (a slow output): the socket that sent the chunk stops being read until it
   * resolves, so memory stays bounded and the slowness reaches the sender as TCP backpressure.
   * `released`: the other socket's write was done at once (or the bytes were not forwarded), so
   * nothing but the tap refers to `chunk.bytes` any more; the tap may keep or even transfer them. */
  onChunk(chunk: Chunk, conn: ConnectionInfo, released: boolean): Promise<void> | null | void;
  onOpen(conn: ConnectionInfo): void;
  /** Both sockets are closed. `reason` is unset for an orderly close. */
  onClose(conn: ConnectionInfo, reason?: string): void;
  /** A side stopped sending, as the client sees it: `client` = the client's FIN or RST,
   * `server` = ours towards the client (mirroring the upstream, or closing it). Once per side,
   * after that side's last chunk. */
  onShutdown?(conn: ConnectionInfo, source: 'client' | 'server', how: 'fin' | 'reset'): void;
  /** One-line human messages about failures (refused upstream, resets, aborts). */
  onNotice(message: string, conn?: ConnectionInfo): void;
  /** --upstream-tls: speak TLS to the upstream (verified against `ca`, or the system's CAs,
   * unless `insecure`). The tap still sees plaintext. */
  upstreamTls?: { insecure: boolean; ca?: string };
  /** Access list, --max-conns, --idle-timeout (silence in both directions), TLS to clients. */
  gate?: GateOptions;
  /** A client turned away before any byte was read (or its TLS handshake failed); no upstream
   * connection is made for it. */
  onRefused?(refusal: Refusal): void;
}

export interface RelayHandle {
  port: number;
  address: string;
  /** Stops listening and destroys the connections still open. */
  close(): Promise<void>;
  /** Connections currently open. */
  connections(): number;
}

/** Socket buffer size on both sides (Node 22's default; Node 20's is 16 KiB). In interleaved
 * runs 1 MiB was slower (more chunks queued in user space, cache-cold by the time they are
 * written) and costs memory per connection; 64 KiB was no slower than 16 KiB. */
export const RELAY_HIGH_WATER_MARK = 64 * 1024;
/** After a canned answer (502 or close), how long to keep reading the client before giving
 * up on its FIN: closing with unread input would turn our FIN into a RST and lose the answer. */
const LINGER_MS = 2_000;

interface Link {
  conn: ConnectionInfo;
  abort(reason: string): void;
}

export function startRelay(opts: RelayOptions): Promise<RelayHandle> {
  const live = new Set<Link>();
  let nextId = 1;
  const gate = new ConnectionGate(opts.gate ?? {}, (r) => opts.onRefused?.(r));
  const server = net.createServer(
    { allowHalfOpen: true, noDelay: true, highWaterMark: RELAY_HIGH_WATER_MARK, ...GATED_SERVER_OPTIONS },
    (socket) => gate.accept(socket, (client) => {
      const link = relayConnection(client, nextId++, opts, (l) => live.delete(l));
      live.add(link);
    }),
  );
  return new Promise((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) => reject(toListenError(err, opts));
    server.once('error', onListenError);
    server.listen({ port: opts.port, host: opts.bind }, () => {
      server.off('error', onListenError);
      // After listening, errors come from accept() (e.g. EMFILE): handled, keep serving.
      gate.guardAccepts(server, (line) => opts.onNotice(`relay ${line}`));
      const addr = server.address() as net.AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        port: addr.port,
        address: addr.address,
        connections: () => live.size,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const link of [...live]) link.abort('relay closed');
            gate.destroyAll();
          })),
      });
    });
  });
}

function relayConnection(
  client: net.Socket,
  id: number,
  opts: RelayOptions,
  forget: (link: Link) => void,
): Link {
  const { onChunk, onNotice } = opts;
  const label = formatAddress(opts.to.host, opts.to.port);
  const conn: ConnectionInfo = {
    id,
    peer: formatAddress(client.remoteAddress ?? '?', client.remotePort ?? 0),
    ...((client as { encrypted?: boolean }).encrypted ? { tls: true } : {}),
    local: formatAddress(client.localAddress ?? '?', client.localPort ?? 0),
    upstream: label,
    openedAt: Date.now(),
    bytesFromClient: 0,
    bytesFromServer: 0,
  };
  // highWaterMark is honoured by net.Socket since Node 20.1 but missing from @types/node 20.
  const connectOpts: net.TcpNetConnectOpts & { highWaterMark: number } = {
    host: opts.to.host,
    port: opts.to.port,
    allowHalfOpen: true,
    noDelay: true,
    highWaterMark: RELAY_HIGH_WATER_MARK,
  };
  const secure = opts.upstreamTls;
  const upstream: net.Socket = secure
    ? tls.connect({
      ...connectOpts,
      servername: net.isIP(opts.to.host) ? undefined : opts.to.host,
      rejectUnauthorized: !secure.insecure,
      ca: secure.ca,
    })
    : net.connect(connectOpts);
  let connected = false;
  /** False once the upstream failed: client bytes are then read and tapped, not forwarded. */
  let forwarding = true;
  let reason: string | undefined;
  let openSockets = 2;
  let linger: NodeJS.Timeout | undefined;
  const connectTimer = setTimeout(() => {
    const err: NodeJS.ErrnoException = new Error(`no answer within ${opts.connectTimeoutMs} ms`);
    err.code = 'ETIMEDOUT';
    upstream.destroy(err);
  }, opts.connectTimeoutMs);

  const shut = new Set<string>();
  const shutdown = (source: 'client' | 'server', how: 'fin' | 'reset') => {
    if (shut.has(source)) return;
    shut.add(source);
    opts.onShutdown?.(conn, source, how);
  };
  const link: Link = {
    conn,
    abort(why) {
      reason ??= why;
      forwarding = false;
      shutdown('server', 'fin');
      client.destroy();
      upstream.destroy();
    },
  };

  // --idle-timeout: the client socket's timer sees our writes to it too, so this fires only
  // when neither side has moved a byte for that long.
  client.on('timeout', () => {
    const why = idleReason(opts.gate?.idleTimeoutMs ?? 0);
    onNotice(`closed #${id} ${conn.peer}: ${why}; its ${formatSize(conn.bytesFromClient + conn.bytesFromServer)} are kept`, conn);
    link.abort(why);
  });

  // Hot path: one write, one counter, one tap call per chunk. Writes to a still-connecting
  // upstream are queued by net.Socket, which gives early client bytes the same backpressure.
  // A socket is read again only when neither the other side's write buffer nor the tap holds it.
  const clientHold = new Hold(client);
  const upstreamHold = new Hold(upstream);
  client.on('data', (bytes: Buffer) => {
    conn.bytesFromClient += bytes.length;
    if (forwarding && !upstream.write(bytes)) clientHold.untilDrain(upstream);
    const released = !forwarding || upstream.writableLength === 0;
    clientHold.until(onChunk({ connId: id, source: 'client', ts: Date.now(), bytes }, conn, released));
  });
  upstream.on('data', (bytes: Buffer) => {
    conn.bytesFromServer += bytes.length;
    if (!client.write(bytes)) upstreamHold.untilDrain(client);
    upstreamHold.until(onChunk({ connId: id, source: 'server', ts: Date.now(), bytes }, conn, client.writableLength === 0));
  });

  // Half-close: a FIN goes on after the data queued before it.
  client.on('end', () => {
    shutdown('client', 'fin');
    if (forwarding) upstream.end();
  });
  upstream.on('end', () => {
    if (!client.destroyed) {
      client.end();
      shutdown('server', 'fin');
    }
  });

  // With TLS the upstream counts as reached once the handshake (and certificate check) is done:
  // a failure before that is a failure to reach it, answered like a refused connection.
  upstream.on(secure ? 'secureConnect' : 'connect', () => {
    connected = true;
    clearTimeout(connectTimer);
  });

  upstream.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(connectTimer);
    if (!forwarding) return; // already torn down for another reason
    forwarding = false;
    const code = err.code ?? 'EUNKNOWN';
    if (!connected) {
      const what = describeUpstreamError(err, opts.connectTimeoutMs);
      reason ??= `upstream ${what}`;
      onNotice(`upstream ${label} ${what} for #${id}`, conn);
      answerClient(what);
      return;
    }
    const after = formatSize(conn.bytesFromClient + conn.bytesFromServer);
    const what = code === 'ECONNRESET' ? 'reset the connection' : `failed (${code})`;
    reason ??= `upstream ${what} mid-stream`;
    onNotice(`upstream ${what} mid-stream for #${id} after ${after}`, conn);
    if (conn.bytesFromServer === 0 && opts.onUpstreamError === '502') answerClient(`${what} (${code})`);
    else if (code === 'ECONNRESET') {
      client.resetAndDestroy();
      shutdown('server', 'reset');
    } else {
      client.destroy();
      shutdown('server', 'fin');
    }
  });

  client.on('error', (err: NodeJS.ErrnoException) => {
    if (!forwarding) {
      // Client gone while we were answering it: nothing left to tell the upstream.
      reason ??= `client error (${err.code ?? 'EUNKNOWN'})`;
      return;
    }
    forwarding = false;
    if (err.code === 'ECONNRESET') shutdown('client', 'reset');
    const tlsProblem = err.code?.startsWith('ERR_SSL_') ? describeTlsError(err) : undefined;
    reason ??= tlsProblem ?? `client went away (${err.code ?? 'EUNKNOWN'})`;
    onNotice(`client #${id} ${tlsProblem ? `${conn.peer}: ${tlsProblem}` : 'went away'}; closed its upstream connection`, conn);
    // Mirror a reset so the upstream sees what a direct client would have caused.
    if (err.code === 'ECONNRESET' && connected) upstream.resetAndDestroy();
    else upstream.destroy();
  });

  const onSocketClose = () => {
    if (--openSockets > 0) return;
    clearTimeout(connectTimer);
    clearTimeout(linger);
    conn.closedAt = Date.now();
    forget(link);
    opts.onClose(conn, reason);
  };
  client.on('close', onSocketClose);
  upstream.on('close', onSocketClose);

  /** The upstream failed before answering: tell the client (502 or plain close), keep reading
   * and tapping its bytes for a moment so the answer isn't lost to a RST. */
  function answerClient(what: string): void {
    if (client.destroyed) return;
    if (opts.onUpstreamError === '502' && client.writable) client.end(makeBadGateway(label, what));
    else client.end();
    shutdown('server', 'fin');
    client.resume();
    linger = setTimeout(() => client.destroy(), LINGER_MS);
    linger.unref();
  }

  opts.onOpen(conn);
  return link;
}
