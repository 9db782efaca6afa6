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
