// A fast upload does not get the thread that serves sockets to itself: the socket layer hands
// over up to ~30 reads of 64 KiB of one connection in a row, so the listener reads at most
// READ_SHARE_BYTES (and the read that crossed it) from one client per turn of the event loop,
// and another client's request is answered while the upload is still arriving.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { READ_SHARE_BYTES, startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import type { Sink } from '../../src/model.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const MiB = 1024 * 1024;

it('one client is read for at most its share per turn; another is answered meanwhile', async () => {
  // Turns of the event loop, counted by a chain of setImmediate; bytes per (connection, turn).
  let turn = 0;
  let counting = true;
  const tick = (): void => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  cleanups.push(() => void (counting = false));
  const perTurn = new Map<string, number>();
  let uploadDone = false;
  let uploadEvent!: () => void;
  const uploadSeen = new Promise<void>((resolve) => (uploadEvent = resolve));
  const probe: Sink = {
    chunk: (c) => {
      if (c.source !== 'client') return;
      const key = `${c.connId}@${turn}`;
      perTurn.set(key, (perTurn.get(key) ?? 0) + c.bytes.length);
    },
    event: (e) => {
      if (e.type === 'request' && e.exchange.request?.head.kind === 'request' && e.exchange.request.head.method === 'PUT') {
        uploadDone = true;
        uploadEvent();
      }
    },
    close: async () => {},
  };
  const recorder = new Recorder({ sinks: [probe], checkBodies: false, maxBodyBytes: 1024 });
  const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server: new CerServer({ mode: 'cer', answer: { ask: [] } }) });
  cleanups.push(() => h.close());

  const size = 24 * MiB;
  const up = net.connect({ port: h.port, host: '127.0.0.1' });
  await once(up, 'connect');
  const other = net.connect({ port: h.port, host: '127.0.0.1' });
  await once(other, 'connect');
  up.write(`PUT /upload.cab HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`);
  for (let sent = 0; sent < size; sent += MiB) if (!up.write(Buffer.alloc(MiB, 0x61))) await once(up, 'drain');
  // The upload is arriving; a level-1 report on the other connection is answered before it ends.
  other.write('POST /stage2.htm HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
  const [answer] = (await once(other, 'data')) as [Buffer];
  expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
  const answeredBeforeUploadEnded = !uploadDone;
  await new Promise<void>((resolve) => up.once('data', () => resolve()));
  // The upload's event follows its answer (the listener answers first: after-answers.ts).
  await uploadSeen;
  const most = Math.max(...[...perTurn].filter(([k]) => k.startsWith('1@')).map(([, n]) => n));
  expect(most).toBeLessThanOrEqual(READ_SHARE_BYTES + 64 * 1024);
  expect([...perTurn].filter(([k]) => k.startsWith('1@')).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(size);
  expect(answeredBeforeUploadEnded).toBe(true);
  up.destroy();
  other.destroy();
}, 60_000);
