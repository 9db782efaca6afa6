import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Exchange, Problem } from '../../../src/model.js';
import { CompactView, type CompactOptions } from '../../../src/render/compact.js';
import { readVector, splitVector } from '../../helpers/paths.js';
import { T0, makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';
import { plain, marked } from './paints.js';
import { displayWidth } from '../../../src/render/width.js';
import type { ReportFindings } from '../../../src/analysis/check/conversation.js';

const conn = makeConnection({ id: 17 });
const report = readVector('level1-appcrash.body.xml');
const answer = splitVector('level1-response-level2.http').body;

function view(over: Partial<CompactOptions> = {}) {
  const lines: string[] = [];
  const v = new CompactView({ paint: plain, times: false, ...over }, (l) => lines.push(...l));
  return { v, lines };
}

const req = (ex: Exchange): CaptureEvent => ({ type: 'request', ts: T0, connection: ex.connection, exchange: ex });
const res = (ex: Exchange): CaptureEvent => ({ type: 'response', ts: T0, connection: ex.connection, exchange: ex });

function reportExchange(): Exchange {
  return makeExchange({ connection: conn, request: makeRequest('POST', '/stage2.htm', report), response: makeResponse(200, 'OK', answer), reportId: '3' });
}

describe('one line per exchange', () => {
  test('a level-1 report and its answer: machine, event, app, code, module+offset, status, Bucket, CAB asked', () => {
    const { v, lines } = view();
    const ex = reportExchange();
    v.event(req(ex));
    expect(lines).toEqual([]); // waits for the answer
    v.event(res(ex));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^#17 \S+ APPCRASH \S+ \S+ c0000005 @ \S+\+0x[0-9a-f]+ → 200 Bucket 1001 · CAB asked$/);
  });

  test('live: a time in front; a request never answered gets `no answer` when its connection closes', () => {
    const { v, lines } = view({ times: true });
    const ex = makeExchange({ connection: conn, request: makeRequest('GET', '/favicon.ico'), response: undefined });
    v.event(req(ex));
    v.event({ type: 'close', ts: T0, connection: conn });
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d #17 GET \/favicon\.ico → no answer$/)]);
  });

  test('non-WER traffic: method, path, status, size', () => {
    const { v, lines } = view();
    const ex = makeExchange({ connection: conn, request: makeRequest('GET', '/x'), response: makeResponse(404, 'Not Found', 'nope') });
    v.event(req(ex));
    v.event(res(ex));
    expect(lines).toEqual(['#17 GET /x → 404 4 B']);
  });

  test('a problem about a request prints after that request\'s line, indented; control bytes escaped', () => {
    const { v, lines } = view({ paint: marked });
    const ex = reportExchange();
    const problem: Problem = { code: 'bad-header', source: 'client', offset: 3, message: 'saw \x1b[2J\nand more' };
    v.event(req(ex));
    ex.problems.push(problem);
    v.event({ type: 'problem', ts: T0, connection: conn, problem });
    v.event(res(ex));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#17 /);
    expect(lines[1]).toBe('    ! bad-header saw ⟦\\x1b⟧[2J');
  });

  test('check errors add one indented line each; warnings do not', () => {
    const { v, lines } = view();
    const ex = reportExchange();
    const found: ReportFindings[] = [{
      ts: T0, connection: conn, seq: 1, stage: 'report', key: '17:1', exchange: ex, findings: [
        { severity: 'error', rule: 'signature-empty', section: '§2', ref: '', message: 'no parameters', fix: 'add some' },
        { severity: 'warning', rule: 'x', section: '§2', ref: '', message: 'meh', fix: '' },
      ],
    } as unknown as ReportFindings];
    v.event(req(ex), found);
    v.event(res(ex));
    expect(lines.slice(1)).toEqual(['    ✗ signature-empty no parameters']);
  });

  test('-q: nothing per exchange, problems still shown with their connection', () => {
    const { v, lines } = view({ quiet: true });
    const ex = reportExchange();
    v.event(req(ex));
    v.event(res(ex));
    v.event({ type: 'problem', ts: T0, connection: conn, problem: { code: 'truncated-body', source: 'client', offset: 0, message: 'ended early' } });
    expect(lines).toEqual(['    #17 ! truncated-body ended early']);
  });

  test('a CAB upload: size, files, machine of its report; lines fit the width', () => {
    const { v, lines } = view({ width: 40 });
    const l1 = reportExchange();
    v.event(req(l1));
    v.event(res(l1));
    const cab = readVector('sample-report.cab');
    const put = makeExchange({ connection: conn, seq: 2, request: makeRequest('PUT', '/x.cab', cab), response: makeResponse(200), reportId: '3' });
    v.event(req(put));
    v.event(res(put));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    const { v: wide, lines: all } = view();
    wide.event(req(l1));
    wide.event(res(l1));
    wide.event(req(put));
    wide.event(res(put));
    expect(all[1]).toMatch(/^#17 \S+ CAB [\d.]+ (B|KiB) · \d+ files?.* → 200$/);
  });
});
