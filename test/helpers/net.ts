// Loopback clients for socket tests: send bytes (optionally in fragments), collect the reply.
import net from 'node:net';

export interface SendResult {
  reply: Buffer;
}

/** Connects to 127.0.0.1:port, writes each piece, half-closes, and resolves with all bytes
 * received once the server closes. */
export function sendAndCollect(port: number, pieces: Buffer[], opts: { delayMs?: number; end?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const got: Buffer[] = [];
    sock.on('data', (b) => got.push(b));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(got)));
    sock.on('connect', async () => {
      for (const p of pieces) {
        sock.write(p);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      }
      if (opts.end !== false) sock.end();
    });
  });
}

export function splitEvery(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** An address where a connection is refused, for as long as the test holds it: a listener of
 * ours owns port P on 127.0.0.1, so nobody can bind the wildcard 0.0.0.0:P, and nothing listens
 * on 127.0.0.2:P. (A "free" port closed again could be taken by anyone before it is used, and
 * 127.0.0.1:9 may well be open.) Call `close()` when done. */
export async function refusingAddress(): Promise<{ host: string; port: number; hostPort: string; close: () => Promise<void> }> {
  const holder = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (holder.address() as net.AddressInfo).port;
  return { host: '127.0.0.2', port, hostPort: `127.0.0.2:${port}`, close: () => new Promise((r) => holder.close(() => r())) };
}

/** Connects (from `localAddress`, to `host`, default 127.0.0.1), writes `data` at once and
 * half-closes (unless `end: false`); resolves with what came back and the error code, if the
 * connection ended by one (a reset) rather than by an orderly close. */
export function exchange(port: number, data: Buffer | string, opts: { host?: string; localAddress?: string; end?: boolean } = {}): Promise<{ reply: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
    const got: Buffer[] = [];
    let error: string | undefined;
    s.on('connect', () => {
      s.write(data);
      if (opts.end !== false) s.end();
    });
    s.on('data', (b) => got.push(b));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    s.on('close', () => resolve({ reply: Buffer.concat(got), error }));
  });
}
