// The conversation tracker, fed through a Recorder as every mode feeds it: report ids, the
// DumpFile the answer issued, the PUT linked to it (in any spelling, on any connection), and
// its limits.
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { ConversationTracker } from '../../../src/pipeline/conversation.js';
import type { CaptureEvent, ConnectionInfo, Exchange } from '../../../src/model.js';
import { readVector } from '../../helpers/paths.js';
import { report, response } from '../../helpers/crafted.js';
import { makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';

const LEVEL1 = readVector('level1-appcrash.http');
const ANSWER = readVector('level1-response-level2.http');
const PUT = readVector('level2-put.http');
const DUMP = /DumpFile=(.*)\r?\n/.exec(ANSWER.toString('latin1'))![1]!;

/** Feeds each connection's client and server bytes (live layout) and returns the requests. */
function feed(conns: { client: Buffer[]; server: Buffer[] }[]): Exchange[] {
  const seen: Exchange[] = [];
  const sink = { event(ev: CaptureEvent) { if (ev.type === 'request') seen.push(ev.exchange); }, async close() {} };
  const recorder = new Recorder({ sinks: [sink] });
  conns.forEach((c, i) => {
    const conn: ConnectionInfo = makeConnection({ id: i + 1 });
    const rec = recorder.open(conn);
    for (let k = 0; k < Math.max(c.client.length, c.server.length); k++) {
      if (c.client[k]) rec.push('client', c.client[k]!);
      if (c.server[k]) rec.push('server', c.server[k]!);
    }
    rec.close();
  });
  return seen;
}

describe('ConversationTracker', () => {
  it('numbers level-1 reports, learns the DumpFile from the answer and links the PUT to it', () => {
    const [l1, put] = feed([{ client: [LEVEL1, PUT], server: [ANSWER, response('200 OK')] }]);
    expect(l1!.reportId).toBe('r1');
    expect(l1!.wer).toMatchObject({ role: 'report', conversation: { reportId: 'r1', seq: 1, dumpFile: DUMP, answerStatus: 200, uploads: 1 } });
    expect(put!.reportId).toBe('r1');
    expect(put!.wer).toMatchObject({ role: 'upload', by: 'dump-file', n: 1 });
    expect((put!.wer as { conversation: unknown }).conversation).toBe((l1!.wer as { conversation: unknown }).conversation);
  });

  it('links a PUT on another connection, in another spelling of the path, and counts a second upload', () => {
    const other = Buffer.from(PUT.toString('latin1').replace(/^PUT (\S+)/, (_m, p: string) => `PUT http://cer:1273${p.replace(/\\/g, '/').toUpperCase()}`), 'latin1');
    const [l1, a, b] = feed([{ client: [LEVEL1], server: [ANSWER] }, { client: [other, PUT], server: [] }]);
    expect(a!.reportId).toBe(l1!.reportId);
    expect(a!.wer).toMatchObject({ role: 'upload', by: 'dump-file', n: 1 });
    expect(b!.wer).toMatchObject({ role: 'upload', by: 'dump-file', n: 2 });
  });

  it('a PUT to a path never issued: linked to the latest report on its connection, without the report id', () => {
    const wrong = Buffer.from(PUT.toString('latin1').replace(/^PUT \S+/, 'PUT /elsewhere.cab'), 'latin1');
    const [l1, put] = feed([{ client: [LEVEL1, wrong], server: [ANSWER] }]);
    expect(put!.wer).toMatchObject({ role: 'upload', by: 'connection', n: 1 });
    expect(put!.reportId).toBeUndefined();
    expect(l1!.reportId).toBe('r1');
    // On another connection, nothing to link it to.
    const [, alone] = feed([{ client: [LEVEL1], server: [ANSWER] }, { client: [wrong], server: [] }]);
    expect(alone!.wer).toBeUndefined();
  });

  it('an answer without iData=1 issues nothing; a <WERREPORT> posted elsewhere is a report without an id', () => {
    const [l1, put] = feed([{ client: [LEVEL1, PUT], server: [response('200 OK', 'Bucket=1\r\niData=0\r\n')] }]);
    expect((l1!.wer as { conversation: { dumpFile?: string } }).conversation.dumpFile).toBeUndefined();
    expect(put!.reportId).toBeUndefined();
    const [elsewhere] = feed([{ client: [Buffer.from(report().toString('latin1').replace('POST /stage2.htm', 'POST /upload'), 'latin1')], server: [] }]);
    expect(elsewhere!.wer?.role).toBe('report');
    expect(elsewhere!.reportId).toBeUndefined();
  });

  it('remembers at most maxIssued DumpFile paths, forgetting the oldest', () => {
    const t = new ConversationTracker({ maxIssued: 2 });
    const connection = makeConnection();
    const answered = (dump: string): Exchange => {
      const ex = makeExchange({ request: makeRequest('POST', '/stage2.htm', 'x'), response: undefined });
      t.onEvent({ type: 'request', ts: 0, connection, exchange: ex });
      ex.response = makeResponse(200, 'OK', `iData=1\r\nDumpFile=${dump}\r\n`);
      t.onEvent({ type: 'response', ts: 0, connection, exchange: ex });
      t.onEvent({ type: 'close', ts: 0, connection });
      return ex;
    };
    const ids = ['\\a.cab', '\\b.cab', '\\c.cab'].map((d) => answered(d).reportId);
    const putTo = (target: string) => {
      const ex = makeExchange({ seq: 9, request: makeRequest('PUT', target, 'MSCF'), response: undefined });
      t.onRequestHead(ex, ex.request!.head);
      return ex.reportId;
    };
    expect([putTo('/a.cab'), putTo('/b.cab'), putTo('/c.cab')]).toEqual([undefined, ids[1], ids[2]]);
  });
});
