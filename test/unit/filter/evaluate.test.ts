import { describe, expect, test } from 'vitest';
import { parseFilter } from '../../../src/analysis/filter/parse.js';
import { evaluateFilter, type Verdict } from '../../../src/analysis/filter/evaluate.js';
import type { FilterSubject } from '../../../src/analysis/filter/fields.js';
import { makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';
import { splitVector } from '../../helpers/paths.js';
import type { Exchange } from '../../../src/model.js';

const appcrash = splitVector('level1-appcrash.http');
const bluescreen = splitVector('level1-bluescreen.http');

function level1(v: { head: string; body: Buffer }, over: Partial<Exchange> = {}): Exchange {
  return makeExchange({
    request: makeRequest('POST', '/stage2.htm', v.body, [
      ['Host', 'cer-lab.example.test:1273'], ['User-Agent', 'MSDW'], ['Content-Type', 'text/xml; charset=utf-16'], ['X-Dup', 'one'], ['X-Dup', 'two'],
    ]),
    response: makeResponse(200, 'OK', 'Bucket=1\r\niData=1\r\n', [['Content-Type', 'text/plain']]),
    reportId: 'r1',
    ...over,
  });
}

const final = (exchange: Exchange): FilterSubject => ({ connection: exchange.connection, exchange, final: true });
const run = (expr: string, s: FilterSubject): Verdict => evaluateFilter(parseFilter(expr), s);

describe('evaluateFilter on a decoded level-1 report', () => {
  const s = final(level1(appcrash));
  test.each([
    ['method=POST', true], ['method=post', true], ['method=PUT', false], ['method!=PUT', true], ['method!=post', false],
    ['path~stage2', true], ['path~STAGE2', true], ['path~stage3', false], ['path=/stage2.htm', true], ['target~~^/stage\\d\\.htm$', true],
    ['event=APPCRASH', true], ['event=appcrash', true], ['event=BlueScreen', false],
    ['app=widget.exe', true], ['app="Widget Studio"', true], ['app~studio', true], ['app=render.dll', false],
    ['apppath~"\\\\widget\\\\"', true], ['company~widgets', true],
    ['machine~WKS-', true], ['machine=WKS-0042.lab.example.test', true], ['machine~srv-', false],
    ['user="LAB\\\\jdoe"', true], ['user~jdoe', true],
    ['os~10.0.19045', true], ['os~"Windows 10"', true], ['lcid=1033', true], ['lcid=en-US', true], ['lcid=0x0409', true],
    ['reporttype=2', true], ['p1=widget.exe', true], ['p4=render.dll', true], ['p7=c0000005', true], ['p9=x', false], ['p9', false],
    ['param.exceptioncode=c0000005', true], ['param.osversion~19045', true], ['param.localeid=1033', true],
    ['header.user-agent=MSDW', true], ['header.x-dup=two', true], ['header.x-dup!=one', false], ['header.x-dup!=three', true],
    ['header.missing', false], ['not header.missing', true], ['header.missing!=x', false], ['header.user-agent', true],
    ['host~cer-lab', true], ['kind=wer-report', true], ['body~WERREPORT', true], ['size>100', true], ['size<100', false],
    ['report=r1', true], ['report', true],
    ['status=200', true], ['status>=400', false], ['status<300', true], ['status!=200', false], ['reason=ok', true],
    ['response', true], ['response.header.content-type~text/plain', true], ['response.body~iData=1', true], ['response.size=19', true],
    ['latency>=0', true], ['latency>1000', false],
    ['peer~192.0.2.7', true], ['local=127.0.0.1:1273', true], ['conn=1', true], ['seq=1', true], ['upstream', false], ['problem', false],
    ['method=PUT or event=APPCRASH', true], ['method=PUT and event=APPCRASH', false], ['not (method=PUT or status>=400)', true],
    ['event=APPCRASH and machine~WKS- and not status>=400', true],
  ])('%s → %s', (expr, want) => expect(run(expr, s)).toBe(want));

  test('a bluescreen: secondary parameters by name, event BlueScreen', () => {
    const b = final(level1(bluescreen));
    expect(run('event=bluescreen', b)).toBe(true);
    expect(run('param.bccode', b)).toBe(true);
    expect(run('app=widget.exe', b)).toBe(false);
  });
});

describe('unknown until the response comes', () => {
  const ex = level1(appcrash, { response: undefined });
  const waiting: FilterSubject = { connection: ex.connection, exchange: ex, final: false };
  test.each([
    ['status>=400', undefined], ['not status>=400', undefined], ['response', undefined], ['problem', undefined],
    // Decided by the request alone, whatever the response will be.
    ['method=POST or status>=400', true], ['method=PUT and status>=400', false], ['method=PUT or status>=400', undefined],
    ['event=APPCRASH and status=200', undefined], ['event=APPCRASH', true],
  ])('%s → %s', (expr, want) => expect(run(expr, waiting)).toBe(want));

  test('once final, an absent response makes response comparisons false', () => {
    expect(run('status>=400', final(ex))).toBe(false);
    expect(run('not status>=400', final(ex))).toBe(true);
    expect(run('not response', final(ex))).toBe(true);
  });
});

describe('events without an exchange', () => {
  const connection = makeConnection({ peer: '10.9.8.7:5000' });
  const problem: FilterSubject = { connection, problem: { code: 'tls-client-hello', source: 'client', offset: 0, message: 'TLS' }, final: true };
  test.each([['problem=tls-client-hello', true], ['problem', true], ['peer~10.9.', true], ['method=PUT', false], ['not method=PUT', true]])(
    '%s → %s', (expr, want) => expect(run(expr, problem)).toBe(want));

  test('a lone response (offline decode): request fields are absent', () => {
    const ex = makeExchange({ request: undefined });
    expect(run('status=200', final(ex))).toBe(true);
    expect(run('method=GET', final(ex))).toBe(false);
  });
});
