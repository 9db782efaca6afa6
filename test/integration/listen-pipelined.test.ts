// The listener carrying out the pipeline's answers on a real loopback socket, when requests
// come pipelined behind a CAB upload whose summary is still being made on the worker: every
// request gets its own answer on the wire, and every output pairs each response with the
// request it answers, in wire order.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener, type ListenerHandle } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import { NdjsonSink } from '../../src/sinks/ndjson.js';
import { RawSink } from '../../src/sinks/raw.js';
import { sharedCabJobs, stopCabWorker } from '../../src/pipeline/workers/cab-offload.js';
import { MemoryStream } from '../helpers/streams.js';
import { readVector } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';

const LEVEL1 = readVector('level1-appcrash.http');
const HANG = readVector('level1-hang.http');
const CAB = readVector('sample-report.cab');
const handles: ListenerHandle[] = [];

afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});
afterAll(async () => {
  await stopCabWorker();
});

/** Sends `first`, waits for its answer, then sends what `then` makes of it in one write and
 * half-closes; resolves with everything the server sent once it closed. */
function converse(port: number, first: Buffer, then: (answer: string) => Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    let sent = false;
    s.on('error', reject);
    s.on('data', (b) => {
      got += b.toString('latin1');
      if (!sent && /\r\n\r\n[^]*DumpFile=.*\r\n/.test(got)) {
        sent = true;
        s.end(then(got));
      }
    });
    s.on('close', () => resolve(got));
    s.on('connect', () => s.write(first));
  });
}

describe('listen: pipelined requests behind an upload', () => {
  it('each gets its own answer, and each response event pairs with its request', async () => {
    const json = new MemoryStream();
    const raw = new MemoryStream();
    const recorder = new Recorder({ sinks: [new NdjsonSink(json), new RawSink(raw)], cabs: sharedCabJobs() });
    const server = new CerServer({ mode: 'cer', answer: { ask: [], noCab: false } });
    const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server });
    handles.push(h);
    let pipelined = Buffer.alloc(0);
    const reply = await converse(h.port, LEVEL1, (answer) => {
      const dump = /DumpFile=(.*)\r\n/.exec(answer)![1]!;
      const put = Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: cer\r\nContent-Length: ${CAB.length}\r\n\r\n`, 'latin1');
      pipelined = Buffer.concat([put, CAB, HANG, LEVEL1]);
      return pipelined;
    });
    await h.close();
    await recorder.close();

    // On the wire: the first answer, then the PUT's 200 and the two reports' answers, in order.
    const answers = reply.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(4);
    expect(answers[1]).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(answers.map((a) => /DumpFile=\\PersistedCabs\\Generic\\(\w+)/.exec(a)?.[1])).toEqual(['APPCRASH', undefined, 'AppHangB1', 'APPCRASH']);
    expect(raw.buffer.equals(Buffer.concat([LEVEL1, pipelined]))).toBe(true);

    const evs = ndjson(json.text).filter((e) => e.type === 'request' || e.type === 'response');
    expect(evs.map((e) => `${e.type} ${e.seq}`)).toEqual(['request 1', 'response 1', 'request 2', 'response 2', 'request 3', 'response 3', 'request 4', 'response 4']);
    // Each response event carries the bytes that were sent for its own request.
    const bodies = evs.filter((e) => e.type === 'response').map((e) => e.body.text ?? '');
    expect(bodies.map((t: string) => /DumpFile=\\PersistedCabs\\Generic\\(\w+)/.exec(t)?.[1])).toEqual(['APPCRASH', undefined, 'AppHangB1', 'APPCRASH']);
    expect(evs.filter((e) => e.type === 'request').map((e) => e.reportId)).toEqual(['r1', 'r1', 'r2', 'r3']);
  });
});
