// The inspector's HTTP server on a real socket (127.0.0.1, port 0), fed by the Recorder like a
// run: the token (query once → cookie), the Host check, the headers on every answer, the
// endpoints, downloads as attachments with safe names, and the history's bounds.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { WebHistory } from '../../../src/web/history.js';
import { ExactBytes } from '../../../src/web/exact-bytes.js';
import { SessionFiles } from '../../../src/web/session-files.js';
import { WebSink, WebTap } from '../../../src/web/web-sink.js';
import { startWebServer, type WebServer } from '../../../src/web/server.js';
import { safeFileName, allowedHosts } from '../../../src/web/access.js';
import { parseWebAddress } from '../../../src/cli/web-flags.js';
import { report, response } from '../../helpers/crafted.js';

let server: WebServer | undefined;
/** Every folder setup() made: a test may call it more than once. */
const dirs: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(limit = 100, budget?: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-test-'));
  dirs.push(dir);
  const history = new WebHistory(limit, budget);
  const exact = new ExactBytes();
  const session = new SessionFiles(dir, 'test');
  const recorder = new Recorder({ sinks: [new WebSink(history, exact), new WebTap(exact, session)], check: true });
  server = await startWebServer({ host: '127.0.0.1', port: 0, history, session });
  const feed = (bytes: Buffer, id = 1) => {
    const rec = recorder.open({ id, peer: `input${id}`, local: 'file', openedAt: 0, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
    rec.push('client', bytes, 1_000);
    rec.close(undefined, 2_000);
  };
  return { history, session, recorder, feed };
}

interface Got { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function get(pathAndQuery: string, opts: { host?: string; cookie?: string; method?: string } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server!.port, path: pathAndQuery, method: opts.method ?? 'GET',
      headers: { host: opts.host ?? `127.0.0.1:${server!.port}`, ...(opts.cookie ? { cookie: opts.cookie } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const withToken = (p: string) => `${p}${p.includes('?') ? '&' : '?'}token=${server!.token}`;

describe('web inspector server', () => {
  it('401 without the token, 403 for another Host even with it; the page URL sets an HttpOnly SameSite=Strict cookie', async () => {
    await setup();
    expect((await get('/api/rows')).status).toBe(401);
    expect((await get('/api/rows?token=wrong')).status).toBe(401);
    expect((await get(withToken('/api/rows'), { host: `evil.example.test:${server!.port}` })).status).toBe(403);
    expect((await get(withToken('/api/rows'), { host: `127.0.0.1:${server!.port + 1}` })).status).toBe(403);
    expect((await get(withToken('/api/rows'), { host: `localhost:${server!.port}` })).status).toBe(200);
    const entry = await get(withToken('/'));
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    const cookie = entry.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await get('/', { cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await get('/api/rows', { cookie: 'wer_sniff_1=nope' })).status).toBe(401);
    expect((await get(withToken('/api/rows'), { method: 'POST' })).status).toBe(405);
  });

  it('every answer carries the CSP, nosniff, no framing and no caching — refusals too', async () => {
    await setup();
    for (const g of [await get('/api/rows'), await get(withToken('/api/rows')), await get(withToken('/nope'))]) {
      expect(g.headers['content-security-policy']).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
      expect(g.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(g.headers['x-content-type-options']).toBe('nosniff');
      expect(g.headers['x-frame-options']).toBe('DENY');
      expect(g.headers['cache-control']).toBe('no-store');
    }
  });

  it('rows, detail, filter, downloads and the session files', async () => {
    const { feed, recorder } = await setup();
    const req = report({ machine: 'WKS-0042.lab.example.test' });
    feed(Buffer.concat([req, response('200 OK', 'Bucket=1\r\nBucketTable=1\r\nResponse=\r\n')]));
    await recorder.close();
    const rows = JSON.parse((await get(withToken('/api/rows'))).body.toString());
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ id: 1, kind: 'report', machine: 'WKS-0042.lab.example.test', event: 'APPCRASH', app: 'widget.exe', exception: 'c0000005', status: 200 });
    const detail = JSON.parse((await get(withToken('/api/record/1'))).body.toString());
    expect(detail.request.line).toBe('POST /stage2.htm HTTP/1.1');
    expect(detail.summary.join('\n')).toContain('WKS-0042.lab.example.test');
    expect(detail.answer.join('\n')).toContain('Bucket');
    const exact = await get(withToken('/api/record/1/request'));
    expect(exact.body.equals(req)).toBe(true);
    expect(exact.headers['content-disposition']).toBe('attachment; filename="request-1.http"');
    expect(JSON.parse((await get(withToken(`/api/filter?q=${encodeURIComponent('machine~WKS-0042')}`))).body.toString())).toEqual({ ids: [1] });
    expect(JSON.parse((await get(withToken(`/api/filter?q=${encodeURIComponent('method=PUT')}`))).body.toString())).toEqual({ ids: [] });
    expect(JSON.parse((await get(withToken('/api/filter?q=status%3E%3E'))).body.toString()).error).toMatch(/^column \d+/);
    expect((await get(withToken('/api/record/99'))).status).toBe(404);
    const har = JSON.parse((await get(withToken('/api/session.har'))).body.toString());
    expect(har.log.entries).toHaveLength(1);
    const pcap = await get(withToken('/api/session.pcap'));
    expect(pcap.body.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.body.includes(req)).toBe(true);
  });

  it('strings in JSON come escaped: controls and bidi overrides as visible escapes', async () => {
    const { feed, recorder } = await setup();
    feed(report({ machine: 'WKS\u202e\u0007-1' }));
    await recorder.close();
    const text = (await get(withToken('/api/rows'))).body.toString();
    expect(text).toContain('WKS\\\\u202e\\\\x07-1');
    expect(JSON.parse(text).rows[0].machine).toBe('WKS\\u202e\\x07-1');
  });

  it('the history keeps the last N exchanges and counts the rest; a byte budget lets bodies go first', async () => {
    const { feed, recorder, history } = await setup(3);
    for (let i = 1; i <= 5; i++) feed(report({ machine: `M-${i}` }), i);
    await recorder.close();
    const rows = JSON.parse((await get(withToken('/api/rows'))).body.toString());
    expect(rows.rows.map((r: { machine: string }) => r.machine)).toEqual(['M-3', 'M-4', 'M-5']);
    expect(rows.evicted).toMatchObject({ exchanges: 2, reports: 2 });
    expect(history.size).toBe(3);
    await server!.close();
    server = undefined;
    const small = await setup(100, 12_000);
    for (let i = 1; i <= 5; i++) small.feed(report({ machine: `M-${i}` }), i);
    await small.recorder.close();
    expect(small.history.held).toBeLessThanOrEqual(12_000);
    const kept = small.history.rows();
    expect(kept.length).toBe(5);
    expect(kept.filter((r) => r.dropped).length).toBeGreaterThan(0);
    expect(kept.at(-1)!.dropped).toBeUndefined();
  });

  it('names for downloads, hosts and --web values', () => {
    expect(safeFileName('<img src=x onerror=alert(1)>.txt', 'f')).toBe('img_src_x_onerror_alert_1_.txt');
    expect(safeFileName('..\\..\\evil"name\r\n.dll', 'f')).toBe('evil_name_.dll');
    expect(safeFileName('\u202e', 'file-3')).toBe('file-3');
    expect([...allowedHosts('127.0.0.1', 8273)]).toEqual(['127.0.0.1:8273', 'localhost:8273', '[::1]:8273']);
    expect(parseWebAddress('8273')).toEqual({ host: '127.0.0.1', port: 8273 });
    expect(parseWebAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseWebAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(parseWebAddress('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    expect(() => parseWebAddress('a:b')).toThrow(/\[address:\]port/);
    expect(() => parseWebAddress('70000')).toThrow();
  });
});
