// The HAR that `--har` writes, checked against the published HAR 1.2 JSON Schema (har-schema +
// Ajv, formats on) and against the bytes it describes: every shared vector and sample, a
// binary CAB PUT (base64 that decodes to the exact CAB), a body that is not exact text, and a
// live listen run fed by `simulate`. Also `--filter` in front of --har and --json, with -o
// staying complete.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { sendAndCollect } from '../helpers/net.js';
import { SAMPLES, VECTORS, vectorPath, readVector } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';
import { harSchemaErrors } from '../helpers/har-schema.js';
import { harProblems } from '../helpers/har-check.js';
import { tempDir } from '../helpers/temp.js';

const startCli = cliStarter();

type Json = Record<string, any>;
const tmp = tempDir('wer-sniff-har-');
const file = (name: string) => path.join(tmp, name);
const readHar = (f: string): Json => JSON.parse(fs.readFileSync(f, 'utf8'));
const httpFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.http')).sort().map((n) => path.join(dir, n));

function valid(doc: Json): void {
  expect(harSchemaErrors(doc)).toEqual([]);
  expect(harProblems(doc)).toEqual([]);
}

/** The exact request bytes a HAR entry carries: `_rawHead` plus the body (base64 or `_base64`). */
function requestBytes(e: Json): Buffer {
  const head = Buffer.from(e.request._rawHead, 'base64');
  const pd = e.request.postData;
  if (!pd) return head;
  const body = pd._encoding === 'base64' ? Buffer.from(pd.text, 'base64') : Buffer.from(pd._base64 ?? '', 'base64');
  return Buffer.concat([head, body]);
}

describe('HAR 1.2 schema', () => {
  it('the validator itself rejects a broken HAR (so a pass means something)', () => {
    expect(harSchemaErrors({ log: { version: '1.2', creator: { name: 'x' }, entries: [{ startedDateTime: 'yesterday' }] } }).length).toBeGreaterThan(3);
    expect(harSchemaErrors({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [] } })).toEqual([]);
  });

  it('every shared vector and every sample: valid, one entry per message, exact request bytes', () => {
    const inputs = [...httpFiles(VECTORS), ...httpFiles(SAMPLES)];
    expect(inputs.length).toBeGreaterThan(12);
    const har = file('all.har');
    const r = runCli(['decode', '--har', har, '--json', ...inputs]);
    expect(r.stderr).toBe('');
    const doc = readHar(har);
    valid(doc);
    const messages = ndjson(r.stdout).filter((ev) => ev.type === 'request' || (ev.type === 'response'));
    expect(doc.log.entries).toHaveLength(messages.length);
    for (const e of doc.log.entries) {
      const input = inputs[Number(e.connection) - 1]!;
      if (e.request.method) expect(requestBytes(e).equals(fs.readFileSync(input))).toBe(true);
      // Headers in their original order and case.
      const head = fs.readFileSync(input).toString('latin1').split('\r\n\r\n')[0]!.split('\r\n').slice(1);
      const names = (e.request.method ? e.request.headers : e.response.headers).map((h: Json) => `${h.name}: ${h.value}`);
      expect(names).toEqual(head);
    }
  });

  it('a binary CAB PUT: base64 that decodes to the exact CAB, mime type as sent', () => {
    const har = file('cab.har');
    const cab = readVector('sample-report-mszip.cab');
    const put = Buffer.concat([Buffer.from(`PUT \\PersistedCabs\\Blue\\0b6f2c1e.cab HTTP/1.1\r\nHost: cer:1273\r\nContent-Type: application/octet-stream\r\nContent-Length: ${cab.length}\r\n\r\n`, 'latin1'), cab]);
    const input = file('cab-put.http');
    fs.writeFileSync(input, put);
    expect(runCli(['decode', '--har', har, input]).code).toBe(0);
    const doc = readHar(har);
    valid(doc);
    const [e] = doc.log.entries;
    expect(e.request.url).toBe('http://cer:1273/%5CPersistedCabs%5CBlue%5C0b6f2c1e.cab');
    expect(e.request.postData).toMatchObject({ mimeType: 'application/octet-stream', _encoding: 'base64' });
    expect(Buffer.from(e.request.postData.text, 'base64').equals(cab)).toBe(true);
    expect(requestBytes(e).equals(put)).toBe(true);
  });

  it('text that would not survive decoding (bad UTF-8 declared as UTF-8) is base64, never corrupted', () => {
    const body = Buffer.concat([Buffer.from('status: ok, name: '), Buffer.from([0xc3, 0x28]), Buffer.from(' and more plain text here\n')]);
    const msg = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const input = file('bad-utf8.http');
    fs.writeFileSync(input, msg);
    const har = file('bad-utf8.har');
    expect(runCli(['decode', '--har', har, input]).code).toBe(0);
    const doc = readHar(har);
    valid(doc);
    const c = doc.log.entries[0].response.content;
    expect(c.encoding).toBe('base64');
    expect(Buffer.from(c.text, 'base64').equals(body)).toBe(true);
    expect(c.comment).toMatch(/would not give back the exact bytes/);
  });

  it('a live listen run (simulate, every kind, level 1 and CAB uploads): valid, exact requests, timings', async () => {
    const har = file('live.har');
    const raw = file('live.bin');
    const r = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--har', har, '-o', raw]);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${r.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    const doc = readHar(har);
    valid(doc);
    // Entries are written as exchanges finish (a PUT's after its CAB summary): in wire order by start.
    const entries = (doc.log.entries as Json[]).slice().sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
    expect(entries).toHaveLength(8);
    // The requests, in order, are exactly the client bytes -o saved.
    expect(Buffer.concat(entries.map(requestBytes)).equals(fs.readFileSync(raw))).toBe(true);
    for (const e of entries) {
      expect(e.serverIPAddress).toBe('127.0.0.1');
      expect(e.response.status).toBe(200);
      const t = e.timings;
      expect(e.time).toBeCloseTo(t.send + t.wait + t.receive, 6);
      expect(Date.parse(e.startedDateTime)).toBeGreaterThan(Date.now() - 120_000);
    }
  });
});

describe('--filter in front of the view, --json and --har', () => {
  it('listen: only matching exchanges reach --json and --har; -o keeps every byte', async () => {
    const har = file('filtered.har');
    const raw = file('filtered.bin');
    const r = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--har', har, '-o', raw, '--filter', 'event=BlueScreen or (method=PUT and status=200)']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${r.port}`, '--kind', 'appcrash,bluescreen', '--color', 'never']);
    expect(sim.code).toBe(0);
    const junk = await sendAndCollect(r.port, [Buffer.from('GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(junk.length).toBeGreaterThan(0);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    const events = ndjson(r.stdout());
    const requests = events.filter((e) => e.type === 'request').map((e) => `${e.method} ${e.target.slice(0, 20)}`);
    // A PUT's event comes once its CAB is summarised (on a worker), so only the set is fixed.
    expect(requests.sort()).toEqual(['POST /stage2.htm', 'PUT \\PersistedCabs\\Blue\\', 'PUT \\PersistedCabs\\Gener']);
    expect(events.filter((e) => e.type === 'report').map((e) => e.report.event.eventType)).toEqual(['BlueScreen']);
    // The GET's connection is not shown at all; every shown connection opens and closes.
    const shown = new Set(events.filter((e) => e.type !== 'stats').map((e) => e.conn)); // stats: the run's bucket table
    for (const c of shown) expect(events.filter((e) => e.conn === c).map((e) => e.type)).toEqual(expect.arrayContaining(['open', 'close']));
    const doc = readHar(har);
    valid(doc);
    const byStart = (doc.log.entries as Json[]).slice().sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
    expect(byStart.map((e: Json) => e.request.method)).toEqual(['PUT', 'POST', 'PUT']);
    const all = fs.readFileSync(raw).toString('latin1');
    expect(all.match(/POST \/stage2\.htm |PUT \\PersistedCabs|GET \/nothing /g)).toEqual(
      ['POST /stage2.htm ', 'PUT \\PersistedCabs', 'POST /stage2.htm ', 'PUT \\PersistedCabs', 'GET /nothing ']);
    expect(r.stderr()).toMatch(/stopped: \d+ connections, 5 requests, 2 reports.*\nwer-sniff: --filter showed 3 of 5 exchanges\n$/);
  });

  it('relay: a response filter (status>=400) shows each failing request with its answer, live', async () => {
    const upstream = net.createServer((sock) => sock.once('data', (b) => {
      const ok = b.toString('latin1').startsWith('GET /ok ');
      sock.end(ok ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' : 'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope');
    }));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      const up = (upstream.address() as net.AddressInfo).port;
      const har = file('relay-filtered.har');
      const r = await startCli(['relay', '--to', `127.0.0.1:${up}`, '-p', '0', '-b', '127.0.0.1', '--json', '--har', har, '--filter', 'status>=400']);
      const port = Number(/listening on [^\n]*?:(\d+), relaying/.exec(r.stderr())![1]);
      for (const target of ['/ok', '/missing', '/ok']) {
        const reply = await sendAndCollect(port, [Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`)]);
        expect(reply.toString('latin1')).toMatch(target === '/ok' ? /^HTTP\/1\.1 200/ : /^HTTP\/1\.1 404/);
      }
      await new Promise((res) => setTimeout(res, 200));
      r.child.kill('SIGINT');
      expect(await r.exited).toBe(0);
      const events = ndjson(r.stdout());
      // the last line is the run's bucket table (`stats`), which --filter does not hide
      expect(events.map((e) => e.type)).toEqual(['open', 'request', 'response', 'close', 'stats']);
      expect(events[1].target).toBe('/missing');
      expect(events[2].status).toBe(404);
      const doc = readHar(har);
      valid(doc);
      expect(doc.log.entries.map((e: Json) => [e.request.url, e.response.status])).toEqual([['http://x/missing', 404]]);
      expect(r.stderr()).toMatch(/stopped: 3 connections, 3 requests.*\nwer-sniff: --filter showed 1 of 3 exchanges\n$/);
    } finally {
      upstream.close();
    }
  });

  it('decode: a bad expression is one line naming the column, exit 2', () => {
    const r = runCli(['decode', '--filter', 'status>=4xx', vectorPath('level1-appcrash.http')]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error: option '--filter <expr>' argument 'status>=4xx' is invalid. column 7: status is a number, but "4xx" is not (e.g. status>=400)`);
    expect(r.stdout.length).toBe(0);
  });

  it('decode: the human view shows only what matches', () => {
    const inputs = httpFiles(VECTORS).filter((f) => path.basename(f).startsWith('level1-') && !f.includes('response'));
    const r = runCli(['decode', '-v', '--color', 'never', '--filter', 'machine~WKS- and event!=APPCRASH', ...inputs]);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text.match(/^ {4}WER report · \w+/gm)).toEqual(['    WER report · BlueScreen', '    WER report · WidgetInstallFail', '    WER report · AppHangB1']);
    expect(text).not.toContain('level1-appcrash.http');
  });
});
