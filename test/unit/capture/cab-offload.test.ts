// CAB summaries off the socket thread: the recorder answers an upload at once, holds that
// connection's events (in order) until its CAB's summary is back, lets other connections go on,
// and every output gets the one summary (no second inflation).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Exchange, Sink } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { CabJobs, inspectHere, type Inspect } from '../../../src/pipeline/workers/cab-offload.js';
import { decodedOf } from '../../../src/domain/body/message.js';
import type { CabInspection } from '../../../src/pipeline/workers/cab-inspect.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { T0, makeConnection } from '../../helpers/factories.js';
import { testTempDir } from '../../helpers/temp.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const CAB = writeCab([{ name: 'Version.txt', data: b('Windows NT Version 10.0\r\n') }], { compression: 'mszip' });
const PUT = Buffer.concat([b(`PUT /PersistedCabs/x.cab HTTP/1.1\r\nContent-Length: ${CAB.length}\r\n\r\n`), CAB]);
const POST = 'POST /stage2.htm HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi';
const RES = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

function setup() {
  const log: string[] = [];
  const runs: { bytes: Buffer; resolve(r: CabInspection): void }[] = [];
  const run: Inspect = (bytes) => new Promise((resolve) => runs.push({ bytes, resolve }));
  const cabs = new CabJobs(run);
  const sink: Sink = {
    event: (e: CaptureEvent) => void log.push(e.type === 'problem' ? `problem ${e.problem.code}` : `${e.type} ${e.connection.id}`),
    close: async () => {},
  };
  let clock = T0;
  const rec = new Recorder({ sinks: [sink], now: () => ++clock, cabs });
  return { log, runs, cabs, rec };
}

describe('recorder with CAB jobs', () => {
  test('the upload is answered at once; its connection waits, another goes on; order is kept', async () => {
    const { log, runs, rec } = setup();
    let put: Exchange | undefined;
    const responder = { onRequestHead: () => ({}), onRequest: () => ({ bytes: b(RES), close: false }) };
    const a = rec.open(makeConnection({ id: 1 }), {
      responder,
      afterEmit: (e) => {
        if (e.type === 'request' && e.exchange.request!.head.method === 'PUT') put = e.exchange;
      },
    });
    const other = rec.open(makeConnection({ id: 2 }));
    const [answer, ...more] = a.push('client', PUT);
    expect(answer?.bytes.toString('latin1')).toBe(RES); // answered before any sink saw it
    expect(more).toEqual([]);
    expect(runs).toHaveLength(1);
    a.sent(answer!);
    // The POST behind the upload is answered at once too; its events wait with the upload's.
    const [second] = a.push('client', b(POST));
    expect(second?.bytes.toString('latin1')).toBe(RES);
    a.sent(second!);
    a.close();
    other.push('client', b(POST));
    other.push('server', b(RES));
    expect(log).toEqual(['open 1', 'open 2', 'request 2', 'response 2']);
    expect(put).toBeUndefined();

    const summary = await inspectHere(runs[0]!.bytes);
    summary.view.entries[0]!.notes.push('from the job');
    runs[0]!.resolve(summary);
    await rec.close();
    expect(log).toEqual(['open 1', 'open 2', 'request 2', 'response 2', 'request 1', 'response 1', 'request 1', 'response 1', 'close 1']);
    // The outputs got the job's view, not a second decoding of the bytes.
    expect(decodedOf(put!.request!).cab!.entries[0]!.notes).toEqual(['from the job']);
  });

  test('one job per CAB, however many ask; the save-dir target goes with it', async () => {
    const seen: (string | undefined)[] = [];
    const cabs = new CabJobs((bytes, dir) => {
      seen.push(dir);
      return inspectHere(bytes);
    });
    const ex = { request: { head: { kind: 'request' }, body: { complete: true, data: CAB } } } as unknown as Exchange;
    cabs.extractTo(ex, '/tmp/x/cab');
    const first = cabs.start(ex);
    expect(cabs.start(ex)).toBe(first);
    expect((await first)!.view.entries.map((e) => e.kind)).toEqual(['text']);
    expect(seen).toEqual(['/tmp/x/cab']);
    // Not a CAB, or not complete: no job.
    expect(cabs.start({ request: { body: { complete: true, data: b('hello') } } } as unknown as Exchange)).toBeUndefined();
    expect(cabs.start({ request: { body: { complete: false, data: CAB } } } as unknown as Exchange)).toBeUndefined();
  });

  test('a job that fails (the worker died) still lists the CAB', async () => {
    const cabs = new CabJobs(() => Promise.reject(new Error('the CAB worker exited (1)')));
    const ex = { request: { head: { kind: 'request' }, body: { complete: true, data: CAB } } } as unknown as Exchange;
    const r = await cabs.start(ex)!;
    expect(r.view.entries).toEqual([{ name: 'Version.txt', size: 25, kind: 'unreadable', notes: [], error: { code: 'summary-failed', message: 'not summarised: the CAB worker exited (1)' } }]);
  });
});

describe('spooled uploads and the socket thread', () => {
  test('a spooled CAB whose job failed (out of descriptors) is listed from the bytes kept, never by reading its file here', async () => {
    // The worker could not open the spooled file (EMFILE in a burst of clients); the file is
    // out of reach here too. Reading it on this thread threw EMFILE inside the job's catch: an
    // unhandled rejection that ended the listener.
    const dir = testTempDir('wer-sniff-offload-failed-');
    const cabs = new CabJobs(async (input) => {
      if (!Buffer.isBuffer(input)) fs.rmSync(input.file);
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    }, dir);
    const ex = { connection: makeConnection({ id: 1 }), request: { head: { kind: 'request', method: 'PUT' }, body: { complete: true, length: CAB.length, head: CAB } } } as unknown as Exchange;
    cabs.requestHead(ex, ex.request!.head);
    cabs.bodyData(ex, 'client', CAB);
    cabs.extractTo(ex, path.join(dir, 'cab'));
    const r = await cabs.start(ex)!;
    const error = { code: 'EMFILE', message: 'not summarised: EMFILE: too many open files' };
    expect(r.view.entries).toEqual([{ name: 'Version.txt', size: 25, kind: 'unreadable', notes: [], error }]);
    // --save-dir sees the errno code: the report is counted as not saved whole.
    expect(r.extracted!.errors).toEqual([{ name: '(cabinet)', ...error }]);
  });

  test('an upload whose spool is behind the disk pauses its own connection only', async () => {
    const cabs = new CabJobs(inspectHere, testTempDir('wer-sniff-offload-spool-'));
    const rec = new Recorder({ sinks: [], cabs });
    const up = rec.open(makeConnection({ id: 1 }));
    rec.open(makeConnection({ id: 2 }));
    const size = 8 * 1024 * 1024;
    up.push('client', b(`PUT /PersistedCabs/big.cab HTTP/1.1\r\nContent-Length: ${size}\r\n\r\nMSCF`));
    // Bytes are only queued for the disk, so 4 MiB at once are more than the spool may hold.
    for (let sent = 4; sent < 4 * 1024 * 1024; sent += 64 * 1024) up.push('client', Buffer.alloc(64 * 1024));
    const wait = rec.backpressure(1);
    expect(wait).not.toBeNull();
    expect(rec.backpressure(2)).toBeNull();
    await wait;
    cabs.discardSpools();
  });
});
