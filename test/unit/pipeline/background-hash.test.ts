// Where the Recorder runs on the thread that serves sockets (socketThread), a large body's
// sha256 is computed on the helper thread without that thread ever waiting for it: the request
// is answered at once, its event reaches the outputs once the digest is back (with it, never
// an empty hash), in order on its connection, and a sender that outruns the helper is paused.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Sink } from '../../../src/model.js';
import type { Command } from '../../../src/pipeline/commands.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { makeConnection } from '../../helpers/factories.js';

const MiB = 1024 * 1024;

function setup(maxBodyBytes?: number) {
  const events: CaptureEvent[] = [];
  const sink: Sink = { event: (e) => void events.push(e), close: async () => {} };
  const rec = new Recorder({ sinks: [sink], socketThread: true, checkBodies: false, maxBodyBytes });
  return { events, rec };
}

const types = (events: CaptureEvent[]): string[] => events.map((e) => `${e.type} ${e.connection.id}`);

describe('large bodies hashed in the background', () => {
  test('answered at once; the outputs get the event, with its sha256, once the digest is back', async () => {
    const { events, rec } = setup();
    const body = randomBytes(3 * MiB + 5);
    // A responder that answers every request with 200: the listener's role (sans-io commands).
    const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'latin1');
    const responder = { onRequestHead: () => ({}), onRequest: () => ({ bytes: OK, close: false }) };
    const c = rec.open(makeConnection({ id: 1 }), { responder });
    const other = rec.open(makeConnection({ id: 2 }));
    const commands: Command[] = [];
    const push = (b: Buffer): void => {
      for (const cmd of c.push('client', b)) commands.push(cmd);
    };
    push(Buffer.from(`POST /big HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'));
    for (let i = 0; i < body.length; i += 64 * 1024) push(body.subarray(i, i + 64 * 1024));
    // Answered at once, before the digest is back; sent and reported as the listener does.
    expect(commands.map((cmd) => cmd.bytes.toString('latin1'))).toEqual([OK.toString('latin1')]);
    c.record('server', commands[0]!.bytes);
    c.sent(commands[0]!);
    other.push('client', Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1'));
    // The big request and its response wait; the other connection does not.
    expect(types(events)).toEqual(['open 1', 'open 2', 'request 2']);
    await rec.close();
    expect(types(events)).toEqual(['open 1', 'open 2', 'request 2', 'request 1', 'response 1']);
    const req = events.find((e) => e.type === 'request' && e.connection.id === 1) as Extract<CaptureEvent, { type: 'request' }>;
    expect(req.exchange.request!.body.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(req.exchange.request!.body.sha256Later).toBeUndefined();
  });

  test('a body fed faster than the helper hashes pauses its own connection only', async () => {
    // Not kept (over --max-body-bytes): each 1 MiB read costs this thread a copy into the
    // ring (~0.1 ms), the helper a hash (~1 ms), so the 4 MiB ring fills within a few reads.
    const { rec } = setup(1024);
    const c = rec.open(makeConnection({ id: 1 }));
    rec.open(makeConnection({ id: 2 }));
    const size = 64 * MiB;
    c.push('client', Buffer.from(`PUT /x HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`, 'latin1'));
    const piece = randomBytes(MiB);
    let paused: Promise<void> | null = null;
    for (let sent = 0; sent < 32 * MiB && !paused; sent += piece.length) {
      c.push('client', piece);
      paused = rec.backpressure(1);
    }
    expect(paused).not.toBeNull();
    expect(rec.backpressure(2)).toBeNull();
    await paused;
    c.close();
    await rec.close();
  });
});
