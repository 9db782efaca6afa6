// Reports that arrive together are all answered before any of them goes to the outputs: a slow
// output (a busy --save-dir disk, a terminal) costs the other clients nothing. The server's
// bytes reach the sinks (chunk) when they are written, the request's event afterwards.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import type { Sink } from '../../src/model.js';
import { readVector } from '../helpers/paths.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

it('two reports read in one turn are both answered before the first one reaches a slow output', async () => {
  const log: string[] = [];
  const slowOutput: Sink = {
    chunk: (c) => {
      if (c.source === 'server') log.push(`answer #${c.connId}`);
    },
    event: (e) => {
      if (e.type !== 'request') return;
      log.push(`event #${e.connection.id}`);
      const until = Date.now() + 30; // an output that takes 30 ms per report
      while (Date.now() < until);
    },
    close: async () => {},
  };
  const recorder = new Recorder({ sinks: [slowOutput], check: true });
  const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server: new CerServer({ mode: 'cer', answer: { ask: [] } }) });
  cleanups.push(() => h.close());
  const report = readVector('level1-appcrash.http');
  const clients = await Promise.all([1, 2].map(async () => {
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    await once(s, 'connect');
    cleanups.push(() => s.destroy());
    return s;
  }));
  // Both connections accepted (#1, #2) before either report is written, so both are read in
  // the same turn of the listener's loop.
  await new Promise((r) => setTimeout(r, 50));
  const answers = clients.map((s) => once(s, 'data'));
  for (const s of clients) s.write(report);
  const replies = await Promise.all(answers);
  for (const [b] of replies) expect((b as Buffer).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  await new Promise((r) => setTimeout(r, 100));
  expect(log).toEqual(['answer #1', 'answer #2', 'event #1', 'event #2']);
});
