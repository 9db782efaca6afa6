// The door of `listen` and `relay`: every accepted TCP socket passes here before a byte of it is
// read (servers are created with pauseOnConnect). It refuses peers outside --allow/--deny and
// connections beyond --max-conns (accepted, then closed at once: the refusal is reported, not
// silent like server.maxConnections), runs the TLS handshake for --tls, and arms the idle timer.
// It knows nothing about HTTP or recording: refusals and handshake failures go to `onRefused`.
import net from 'node:net';
import tls from 'node:tls';
import type { AccessList } from './access-list.js';
import { formatAddress } from '../../util/address.js';
import { AcceptGuard, NO_DESCRIPTORS_MESSAGE } from './accept-guard.js';

export type RefusalReason = 'denied' | 'max-conns' | 'tls-handshake' | 'no-descriptors';

export interface Refusal {
  ts: number;
  peer: string;
  local: string;
  reason: RefusalReason;
  /** One line for people, e.g. `not in --allow`. */
  message: string;
}

export interface GateOptions {
  access?: AccessList;
  /** Connections open at once (TLS handshakes included); beyond it new ones are refused. */
  maxConns?: number;
  /** Close a connection after this long without a byte in either direction; 0 = never. */
  idleTimeoutMs?: number;
  /** Speak TLS to clients with this context. */
  tls?: tls.SecureContext;
  /** A TLS client must finish its handshake within this long. */
  handshakeTimeoutMs?: number;
}

export const HANDSHAKE_TIMEOUT_MS = 30_000;

/** pauseOnConnect: nothing is read from a socket until the gate lets it in. */
export const GATED_SERVER_OPTIONS = { pauseOnConnect: true } as const;

export class ConnectionGate {
  private open = 0;
  /** Admitted TCP sockets not yet closed, TLS handshakes in progress included. */
  private readonly sockets = new Set<net.Socket>();
  private guard: AcceptGuard | undefined;

  constructor(private readonly opts: GateOptions, private readonly onRefused: (r: Refusal) => void) {}

  /** Connections admitted and not yet closed. */
  get openConnections(): number {
    return this.open;
  }

  /** Handles the listening `server`'s accept failures (accept-guard.ts): call once it listens. */
  guardAccepts(server: net.Server, onNotice: (line: string) => void): void {
    this.guard = new AcceptGuard(server, onNotice);
  }

  /**
   * Refuses `socket` (reported, destroyed, nothing read) or calls `ready` with the stream to use:
   * the socket itself, resumed, or with TLS the TLSSocket once its handshake is done. Call it
   * first thing in the server's connection handler.
   */
  accept(socket: net.Socket, ready: (stream: net.Socket) => void): void {
    const peer = formatAddress(socket.remoteAddress, socket.remotePort);
    const local = formatAddress(socket.localAddress, socket.localPort);
    const refuse = (reason: RefusalReason, message: string) => {
      socket.destroy();
      this.guard?.takeSpare(); // its descriptor is free again
      this.onRefused({ ts: Date.now(), peer, local, reason, message });
    };
    if (this.guard?.shed()) return refuse('no-descriptors', NO_DESCRIPTORS_MESSAGE);
    const denied = this.opts.access?.check(socket.remoteAddress);
    if (denied) return refuse('denied', denied);
    const max = this.opts.maxConns;
    if (max !== undefined && this.open >= max) return refuse('max-conns', `${this.open} connections open (--max-conns ${max})`);

    this.open++;
    this.sockets.add(socket);
    let counted = true;
    const release = () => {
      if (counted) this.open--;
      counted = false;
      this.sockets.delete(socket);
      this.guard?.takeSpare();
    };
    socket.once('close', release);
    socket.on('error', () => {}); // reported through the stream the caller gets (or the handshake)
    if (!this.opts.tls) {
      this.armIdle(socket);
      ready(socket);
      socket.resume();
      return;
    }
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: this.opts.tls });
    const limit = this.opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(() => secure.destroy(Object.assign(new Error(`no TLS handshake within ${limit / 1000} s`), { code: 'ETIMEDOUT' })), limit);
    let settled = false;
    const failed = (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure.destroy();
      socket.destroy();
      this.onRefused({ ts: Date.now(), peer, local, reason: 'tls-handshake', message: describeTlsError(err) });
    };
    secure.once('error', failed);
    secure.once('secure', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure.off('error', failed);
      secure.off('end', hungUp);
      this.armIdle(secure);
      ready(secure);
    });
    // A client that hangs up mid-handshake without an alert (e.g. node rejecting our
    // certificate) gives no error at all, only an end (the servers allow half-open sockets).
    const hungUp = () => failed(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    secure.once('end', hungUp);
    secure.once('close', () => {
      hungUp();
      release();
    });
  }

  /** At shutdown: also the connections still in their TLS handshake (server.close would wait
   * for them). */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.guard?.close();
  }

  /** A socket that is silent both ways for --idle-timeout gets 'timeout' (the caller closes it). */
  private armIdle(stream: net.Socket): void {
    if (this.opts.idleTimeoutMs) stream.setTimeout(this.opts.idleTimeoutMs);
  }
}

/** OpenSSL's reasons in words a WER admin can act on. */
export function describeTlsError(err: NodeJS.ErrnoException & { reason?: string }): string {
  const why = err.reason ?? err.message;
  if (/wrong version number|http request|unknown protocol/i.test(why)) return `TLS handshake failed: the client did not speak TLS (${why}) — plain-HTTP clients need a listener without --tls`;
  if (/unknown ca|bad certificate|certificate unknown/i.test(why)) return `TLS handshake failed: the client does not trust our certificate (${why}) — import it into its Root store`;
  if (err.code === 'ECONNRESET' || /socket hang up|disconnected/i.test(why)) return 'TLS handshake failed: the client closed the connection during the handshake (often: it does not trust our certificate)';
  return `TLS handshake failed: ${why}`;
}

/** The idle close's reason, as shown on the close event and in the log line. */
export function idleReason(ms: number): string {
  return `idle for ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`} (--idle-timeout)`;
}
