// One replay connection: a socket to the target whose bytes both ways go through a
// ConnectionRecorder (so the responses are framed, decoded and shown like live traffic), and
// `send(request)` that writes a request exactly and resolves when its final response is complete.
// `Expect: 100-continue`: the head goes first, the body after `100 Continue`, or after
// CONTINUE_WAIT_MS without one (as curl does); if a final answer comes first, the body is not
// sent and the connection is not reused. Failures are one-line Errors naming the target.
import net from 'node:net';
import type { ConnectionInfo, Exchange, Header } from '../../model.js';
import { hasToken } from '../../pipeline/http/head.js';
import type { ConnectionRecorder, Recorder } from '../../pipeline/recorder.js';
import type { PreparedRequest } from './prepare.js';
import { formatAddress } from '../../util/address.js';

/** RFC 9112 §9.3: whether the connection stays open after this exchange — not when either side
 * said `Connection: close`, nor after an HTTP/1.0 answer without `keep-alive`. */
export function keepsAlive(ex: Exchange): boolean {
  const says = (headers: Header[] | undefined, token: string) => hasToken(headers ?? [], 'connection', token);
  const res = ex.response?.head.headers;
  if (says(res, 'close') || says(ex.request?.head.headers, 'close')) return false;
  if (ex.response?.head.version === 'HTTP/1.0') return says(res, 'keep-alive');
  return true;
}

export const CONTINUE_WAIT_MS = 1000;

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  exchange?: Exchange;
  continued?: () => void;
}

export class ReplaySession {
  private waiter: Waiter | undefined;
  private closed = false;
  private failure: Error | undefined;
  /** False once the connection cannot carry another request. */
  reusable = true;
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: net.Socket, private readonly rec: ConnectionRecorder, private readonly where: string) {
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (b: Buffer) => {
      rec.push('server', b);
      const w = this.waiter;
      if (w?.continued && w.exchange?.interim.some((r) => r.head.status === 100)) w.continued();
    });
    socket.on('end', () => rec.end('server'));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.failure ??= new Error(`connection to ${where} failed: ${e.code ?? e.message}`);
    });
    socket.on('close', () => {
      this.closed = true;
      this.reusable = false;
      rec.close(this.failure ? this.failure.message : undefined);
      this.waiter?.reject(this.failure ?? new Error(`${where} closed the connection without answering`));
      this.waiter = undefined;
    });
  }

  static connect(to: { host: string; port: number }, recorder: Recorder, id: number, timeoutMs: number): Promise<ReplaySession> {
    const where = formatAddress(to.host, to.port);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: to.host, port: to.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${where} did not accept the connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(e.code === 'ECONNREFUSED' ? `${where} refused the connection (ECONNREFUSED)` : `cannot connect to ${where}: ${e.code ?? e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        const connection: ConnectionInfo = {
          id,
          peer: formatAddress(socket.localAddress, socket.localPort),
          local: formatAddress(socket.remoteAddress, socket.remotePort),
          upstream: where,
          openedAt: Date.now(),
          bytesFromClient: 0,
          bytesFromServer: 0,
        };
        let session: ReplaySession | undefined;
        const rec = recorder.open(connection, {
          onRequestHead: (ex) => {
            if (session?.waiter) session.waiter.exchange = ex;
          },
          afterEmit: (ev) => {
            if (ev.type === 'response' && session) {
              if (!keepsAlive(ev.exchange)) session.reusable = false;
            }
            if (ev.type === 'response' && session?.waiter) {
              const w = session.waiter;
              session.waiter = undefined;
              w.resolve();
            }
          },
        });
        session = new ReplaySession(socket, rec, where);
        resolve(session);
      });
    });
  }

  /** Sends one request and resolves once its final response is complete. */
  async send(req: PreparedRequest, timeoutMs: number): Promise<void> {
    if (this.closed) throw this.failure ?? new Error(`${this.where} closed the connection`);
    const answered = new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    answered.catch(() => {});
    // Idle time, not total time: a large upload that keeps moving is never cut off.
    const onIdle = () => {
      const w = this.waiter;
      if (!w) return;
      this.waiter = undefined;
      this.reusable = false;
      w.reject(new Error(`${this.where} sent no complete answer (nothing moved for ${timeoutMs} ms)`));
      this.socket.destroy();
    };
    this.socket.setTimeout(timeoutMs, onIdle);
    try {
      if (req.expectContinue) {
        const waiter = this.waiter!;
        const go = new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(true), CONTINUE_WAIT_MS);
          waiter.continued = () => {
            clearTimeout(t);
            resolve(true);
          };
          answered.then(() => { clearTimeout(t); resolve(false); }, () => { clearTimeout(t); resolve(false); });
        });
        await this.write(req.bytes.subarray(0, req.headLength));
        if (await go) await this.write(req.bytes.subarray(req.headLength));
        else this.reusable = false; // answered before the body: the server will not read it
      } else {
        await this.write(req.bytes);
      }
      await answered;
    } finally {
      this.socket.setTimeout(0);
      this.socket.off('timeout', onIdle);
    }
  }

  private async write(bytes: Buffer): Promise<void> {
    if (!bytes.length || this.closed) return;
    this.rec.push('client', bytes);
    if (!this.socket.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done).on('close', done);
      });
    }
  }

  /** Stops at once (SIGINT): the connection is dropped, whatever is in flight. */
  abort(): void {
    this.reusable = false;
    this.socket.destroy();
  }

  /** Half-closes and waits (briefly) for the server to close; then the connection is done. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2000);
      await this.closedPromise;
      clearTimeout(t);
    }
  }
}
