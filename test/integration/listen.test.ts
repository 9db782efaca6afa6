// The listener on real loopback sockets, in-process: framing of the shared vectors split into
// fragments, CER answers, report pairing, and that bad traffic on one connection leaves the
// others alone.
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener, type ListenerHandle } from '../../src/sources/net/listener.js';
import { CerServer, type RespondMode } from '../../src/domain/server/cer-server.js';
import { NdjsonSink } from '../../src/sinks/ndjson.js';
import { RawSink } from '../../src/sinks/raw.js';
import { MemoryStream } from '../helpers/streams.js';
import { sendAndCollect, splitEvery } from '../helpers/net.js';
import { readVector } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';

const handles: ListenerHandle[] = [];

async function listen(mode: RespondMode = 'cer', noCab = false) {
  const json = new MemoryStream();
  const raw = new MemoryStream();
  const recorder = new Recorder({ sinks: [new NdjsonSink(json), new RawSink(raw)] });
  const server = new CerServer({ mode, answer: { ask: [], noCab } });
  const h = await startListener({ port: 0, bind: '127.0.0.1', recorder, server });
  handles.push(h);
  const events = () => ndjson(json.text);
  return { h, json, raw, recorder, events };
}

afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

describe('listen', () => {
  it('answers a level-1 report byte by byte with iData=1 and a DumpFile, and decodes it', async () => {
    const { h, events, raw } = await listen();
    const req = readVector('level1-appcrash.http');
    const reply = await sendAndCollect(h.port, splitEvery(req, 1));
    const text = reply.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('Content-Type: text/plain; charset=windows-1252');
    expect(text).toMatch(/\r\n\r\nBucket=\d+\r\nBucketTable=\d+\r\niData=1\r\nDumpFile=\\PersistedCabs\\Generic\\APPCRASH\\widget\.exe\\3\.2\.1\.0\\/);
    expect(raw.buffer.equals(req)).toBe(true);
    const evs = events();
    const report = evs.find((e) => e.type === 'report');
    expect(report.reportId).toBe('r1');
    expect(report.report.machine.name).toBe('WKS-0042.lab.example.test');
    expect(report.report.event.time.iso).toBe(new Date(Number((133601524131234560n - 116444736000000000n) / 10000n)).toISOString());
    expect(evs.map((e) => e.type)).toEqual(['open', 'request', 'report', 'response', 'close']);
  });

  it('pairs the PUT of the CAB with its report, for \\ / and %5C spellings, with 100-continue', async () => {
    for (const spelling of ['backslash', 'slash', 'percent']) {
      const { h, events } = await listen();
      const first = await sendAndCollect(h.port, [readVector('level1-hang.http')]);
      const dump = /DumpFile=(.*)\r\n/.exec(first.toString('latin1'))![1]!;
      const target = spelling === 'backslash' ? dump : spelling === 'slash' ? dump.replace(/\\/g, '/') : dump.replace(/\\/g, '%5C');
      const cab = readVector('sample-report.cab');
      const head = `PUT ${target} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${cab.length}\r\n\r\n`;
      const reply = await sendAndCollect(h.port, [Buffer.from(head, 'latin1'), cab], { delayMs: 20 });
      expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
      const put = events().find((e) => e.type === 'request' && e.method === 'PUT');
      expect(put.reportId, spelling).toBe('r1');
      expect(put.body.length).toBe(cab.length);
      expect(events().some((e) => e.type === 'problem')).toBe(false);
    }
  });

  it('flags a PUT to a path it never issued, and still answers it', async () => {
    const { h, events } = await listen();
    const reply = await sendAndCollect(h.port, [readVector('level2-put.http')]);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(events().find((e) => e.type === 'problem')?.code).toBe('unknown-dump-path');
  });

  it('--no-cab answers iData=0 and no DumpFile', async () => {
    const { h } = await listen('cer', true);
    const reply = (await sendAndCollect(h.port, [readVector('level1-generic.http')])).toString('latin1');
    expect(reply).toContain('iData=0\r\n');
    expect(reply).not.toContain('DumpFile');
  });

  it('respond none never writes a byte; ok answers every pipelined request', async () => {
    const none = await listen('none');
    expect((await sendAndCollect(none.h.port, [readVector('level1-generic.http')])).length).toBe(0);
    const ok = await listen('ok');
    const two = Buffer.concat([readVector('level1-generic.http'), readVector('level1-bluescreen.http')]);
    const reply = (await sendAndCollect(ok.h.port, [two])).toString('latin1');
    expect(reply.match(/HTTP\/1\.1 200 OK\r\nContent-Length: 0\r\n\r\n/g)).toHaveLength(2);
  });

  it('garbage and a TLS ClientHello on other connections do not disturb a valid request', async () => {
    const { h, events } = await listen();
    const hello = Buffer.from('16030100a5010000a103035f1c9a3b', 'hex');
    const garbage = Buffer.from('\x00\x01\x02\xff garbage \x1b[31m\r\n\r\n', 'latin1');
    const [r1, , r3] = await Promise.all([
      sendAndCollect(h.port, [hello]),
      sendAndCollect(h.port, [garbage]),
      sendAndCollect(h.port, splitEvery(readVector('level1-appcrash.http'), 100), { delayMs: 1 }),
    ]);
    expect(r1.length).toBe(0);
    expect(r3.toString('latin1')).toContain('iData=1');
    const evs = events();
    const problems = evs.filter((e) => e.type === 'problem');
    expect(problems.map((p) => p.code).sort()).toEqual(['bad-request-line', 'bad-request-line']);
    expect(problems.some((p) => /TLS/.test(p.message))).toBe(true);
    const raws = evs.filter((e) => e.type === 'raw');
    const rawBytes = raws.map((e) => Buffer.from(e.base64, 'base64'));
    expect(rawBytes.some((b) => b.equals(hello))).toBe(true);
    expect(rawBytes.some((b) => b.equals(garbage))).toBe(true);
    expect(evs.filter((e) => e.type === 'report')).toHaveLength(1);
  });

  it('keeps each connection\'s raw bytes together when connections overlap', async () => {
    const { h, raw } = await listen('none');
    const a = readVector('level1-appcrash.http');
    const b = readVector('level1-hang.http');
    await Promise.all([
      sendAndCollect(h.port, splitEvery(a, 500), { delayMs: 5 }),
      sendAndCollect(h.port, splitEvery(b, 500), { delayMs: 5 }),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    const got = raw.buffer;
    expect(got.length).toBe(a.length + b.length);
    expect(got.equals(Buffer.concat([a, b])) || got.equals(Buffer.concat([b, a]))).toBe(true);
  });
});
