// The listener's pure part without a socket: bytes go into a connection's recorder (framing,
// conversation tracking, the emulated CER server), commands come out, and this test carries
// them out as the listener does (record the bytes as the server's, report them back). It
// asserts the commands and the order in which the sinks see events and bytes.
import { describe, expect, it } from 'vitest';
import type { CaptureEvent, Chunk, Sink } from '../../../src/model.js';
import type { Command } from '../../../src/pipeline/commands.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { CerServer, type RespondMode } from '../../../src/domain/server/cer-server.js';
import { readVector } from '../../helpers/paths.js';
import { T0, makeConnection } from '../../helpers/factories.js';

const LEVEL1 = readVector('level1-appcrash.http');
const HANG = readVector('level1-hang.http');
const CAB = readVector('sample-report.cab');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const PUT_OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

const text = (b: Buffer): string => b.toString('latin1');
const withHeader = (req: Buffer, line: string): Buffer => Buffer.from(text(req).replace('\r\n', `\r\n${line}\r\n`), 'latin1');
const dumpFileOf = (answer: Buffer): string => /\r\nDumpFile=(.*)\r\n/.exec(text(answer))![1]!;
const putHead = (target: string, extra = ''): Buffer => Buffer.from(`PUT ${target} HTTP/1.1\r\nHost: cer\r\n${extra}Content-Length: ${CAB.length}\r\n\r\n`, 'latin1');

/** One connection with the emulated server as its responder, and a sink that logs. */
function session(mode: RespondMode = 'cer', throwOn?: CaptureEvent['type']) {
  const log: string[] = [];
  const events: CaptureEvent[] = [];
  const sink: Sink = {
    chunk: (c: Chunk) => void log.push(`${c.source} ${c.bytes.length} bytes`),
    event: (e: CaptureEvent) => {
      events.push(e);
      log.push(e.type === 'problem' ? `problem ${e.problem.code}` : 'exchange' in e ? `${e.type} ${e.exchange.seq}` : e.type);
      if (e.type === throwOn) throw new Error(`sink failed on ${e.type}`);
    },
    close: async () => {},
  };
  const recorder = new Recorder({ sinks: [sink], now: () => T0 });
  let guids = 0;
  const server = new CerServer({ mode, answer: { ask: [], noCab: false }, newGuid: () => `00000000-0000-4000-8000-00000000000${++guids}` });
  const rec = recorder.open(makeConnection(), { responder: server });
  /** What the listener does with commands: record each as the server's bytes, then report it. */
  const carry = (commands: readonly Command[]): readonly Command[] => {
    for (const cmd of commands) {
      rec.record('server', cmd.bytes);
      rec.sent(cmd);
      if (cmd.close) rec.end('server');
    }
    return commands;
  };
  return { rec, log, events, carry };
}

describe('answers as commands (no socket)', () => {
  it('a level-1 POST yields one send: the CER answer asking for the CAB at a DumpFile named for its signature', () => {
    const { rec, log, events, carry } = session();
    const commands = rec.push('client', LEVEL1);
    expect(commands).toHaveLength(1);
    const [answer] = commands;
    expect(answer).toMatchObject({ kind: 'send', close: false });
    const [head, body] = text(answer!.bytes).split('\r\n\r\n');
    expect(head).toBe(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Length: ${body!.length}`);
    expect(body).toMatch(/^Bucket=\d+\r\nBucketTable=\d+\r\niData=1\r\nDumpFile=[^\r]+\r\n$/);
    expect(dumpFileOf(answer!.bytes)).toBe('\\PersistedCabs\\Generic\\APPCRASH\\widget.exe\\3.2.1.0\\65f1a2b3\\render.dll\\3.2.1.0\\65f1a2a0\\c0000005\\000000000001a2f4\\00000000-0000-4000-8000-000000000001.cab');
    // Nothing has been sent yet: the request waits for its answer, so no output can delay it.
    expect(log).toEqual(['open', `client ${LEVEL1.length} bytes`]);
    carry(commands);
    expect(log).toEqual(['open', `client ${LEVEL1.length} bytes`, `server ${answer!.bytes.length} bytes`, 'request 1', 'response 1']);
    const res = events.find((e) => e.type === 'response');
    expect(res?.type === 'response' && res.exchange.response!.head.status).toBe(200);
    expect(res?.type === 'response' && res.exchange.reportId).toBe('r1');
  });

  it('a PUT to the DumpFile it issued yields 200, linked to the report; with Expect: 100-continue first a 100', () => {
    const { rec, log, events, carry } = session();
    const [answer] = carry(rec.push('client', LEVEL1));
    const dump = dumpFileOf(answer!.bytes);
    const interim = carry(rec.push('client', putHead(dump, 'Expect: 100-continue\r\n')));
    expect(interim.map((c) => text(c.bytes))).toEqual([CONTINUE]);
    expect(carry(rec.push('client', CAB.subarray(0, 100)))).toEqual([]);
    const done = carry(rec.push('client', CAB.subarray(100)));
    expect(done.map((c) => [text(c.bytes), c.close])).toEqual([[PUT_OK, false]]);
    expect(log.slice(5)).toEqual([`client ${putHead(dump, 'Expect: 100-continue\r\n').length} bytes`, 'server 25 bytes', 'interim 2', 'client 100 bytes', `client ${CAB.length - 100} bytes`, 'server 38 bytes', 'request 2', 'response 2']);
    const put = events.find((e) => e.type === 'request' && e.exchange.seq === 2);
    expect(put?.type === 'request' && put.exchange.reportId).toBe('r1');
    expect(put?.type === 'request' && put.exchange.wer).toMatchObject({ role: 'upload', by: 'dump-file' });
    expect(events.filter((e) => e.type === 'problem')).toEqual([]);
  });

  it('a PUT to a path never issued is answered too, with its problem before it', () => {
    const { rec, log, carry } = session();
    const commands = carry(rec.push('client', Buffer.concat([putHead('/elsewhere.cab', 'Expect: 100-continue\r\n'), CAB])));
    // The 100 Continue and the final answer, in the order they must go out.
    expect(commands.map((c) => text(c.bytes))).toEqual([CONTINUE, PUT_OK]);
    expect(log.slice(2)).toEqual(['problem unknown-dump-path', 'server 25 bytes', 'interim 1', 'server 38 bytes', 'request 1', 'response 1']);
  });

  it('pipelined requests yield their answers in order, and each response follows its own request', () => {
    const { rec, log, events, carry } = session();
    const commands = rec.push('client', Buffer.concat([LEVEL1, HANG]));
    expect(commands.map((c) => dumpFileOf(c.bytes).split('\\')[3])).toEqual(['APPCRASH', 'AppHangB1']);
    expect(log).toEqual(['open', `client ${LEVEL1.length + HANG.length} bytes`]);
    carry(commands);
    expect(log.slice(2)).toEqual([`server ${commands[0]!.bytes.length} bytes`, 'request 1', 'response 1', `server ${commands[1]!.bytes.length} bytes`, 'request 2', 'response 2']);
    // Each response is framed from the answer sent for its request.
    const responses = events.filter((e) => e.type === 'response');
    expect(responses.map((e) => e.type === 'response' && e.exchange.response!.body.length)).toEqual(commands.map((c) => text(c.bytes).split('\r\n\r\n')[1]!.length));
    expect(responses.map((e) => e.type === 'response' && e.exchange.reportId)).toEqual(['r1', 'r2']);
  });

  it('Connection: close: the answer closes, and a request pipelined after it gets none', () => {
    const { rec, log, carry } = session();
    const commands = carry(rec.push('client', Buffer.concat([withHeader(LEVEL1, 'Connection: close'), HANG])));
    expect(commands).toHaveLength(1);
    expect(commands[0]!.close).toBe(true);
    expect(text(commands[0]!.bytes)).toContain('\r\nConnection: close\r\n');
    expect(log.slice(3)).toEqual(['request 1', 'response 1', 'request 2']);
    expect(rec.end('client')).toEqual([]);
  });

  it('a close after half a request yields no send; the half request is still shown', () => {
    const { rec, log, events } = session();
    expect(rec.push('client', LEVEL1.subarray(0, 500))).toEqual([]);
    expect(rec.end('client')).toEqual([]);
    rec.close();
    expect(log).toContain('request 1');
    expect(log).not.toContain('response 1');
    expect(log.filter((l) => l.startsWith('server'))).toEqual([]);
    const req = events.find((e) => e.type === 'request');
    expect(req?.type === 'request' && req.exchange.request!.body.complete).toBe(false);
    expect(log.at(-1)).toBe('close');
  });

  it('an answer that could not be sent lets its request go on, without a response', () => {
    const { rec, log } = session();
    const [answer] = rec.push('client', LEVEL1);
    expect(log).not.toContain('request 1');
    rec.unsent(answer!);
    expect(log.slice(2)).toEqual(['request 1']);
    expect(() => rec.sent(answer!)).toThrow(/reported twice/);
  });

  it('answers not reported back when the connection closes are forgotten, and their requests shown', () => {
    const { rec, log } = session();
    expect(rec.push('client', Buffer.concat([LEVEL1, HANG]))).toHaveLength(2);
    rec.close('ECONNRESET');
    expect(log.slice(2)).toEqual(['request 1', 'request 2', 'close']);
  });

  it('a sink that throws on the request cannot prevent its answer', () => {
    const { rec, log, carry } = session('cer', 'request');
    const commands = rec.push('client', LEVEL1);
    expect(commands).toHaveLength(1);
    expect(() => carry(commands)).not.toThrow();
    expect(log.slice(2)).toEqual([`server ${commands[0]!.bytes.length} bytes`, 'request 1', 'response 1', 'problem decoder-error']);
  });

  it('--respond ok answers every request with an empty 200; --respond none sends nothing', () => {
    const ok = session('ok');
    expect(ok.carry(ok.rec.push('client', LEVEL1)).map((c) => text(c.bytes))).toEqual([PUT_OK]);
    const none = session('none');
    expect(none.rec.push('client', Buffer.concat([LEVEL1, putHead('/x', 'Expect: 100-continue\r\n'), CAB]))).toEqual([]);
    expect(none.log.slice(2)).toEqual(['request 1', 'request 2']);
  });

  it('HTTP/1.0: the answer says keep-alive only when asked, and closes otherwise', () => {
    // The vector asks for keep-alive; without that header an HTTP/1.0 client expects a close.
    const v10 = Buffer.from(text(LEVEL1).replace(' HTTP/1.1\r\n', ' HTTP/1.0\r\n').replace('Connection: Keep-Alive\r\n', ''), 'latin1');
    expect(v10.length).toBe(LEVEL1.length - 'Connection: Keep-Alive\r\n'.length);
    const plain = session();
    const [closing] = plain.carry(plain.rec.push('client', v10));
    expect([closing!.close, text(closing!.bytes)]).toEqual([true, expect.stringContaining('\r\nConnection: close\r\n')]);
    const kept = session();
    const [open] = kept.carry(kept.rec.push('client', withHeader(v10, 'Connection: keep-alive')));
    expect([open!.close, text(open!.bytes)]).toEqual([false, expect.stringContaining('\r\nConnection: keep-alive\r\n')]);
  });
});
