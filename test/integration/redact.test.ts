// --redact end to end: every derived output (human view plain and coloured, --json, --har) of
// the shared vectors, the samples, a report full of private paths, and a live listen fed by
// simulate holds none of the original names; the raw outputs still hold them byte for byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, cliStarter } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { SAMPLES, vectorFiles } from '../helpers/paths.js';
import { encodeUtf16, writeLevel1Request, writeMetadataXml, writeReportXml, type ReportSpec } from '../../src/domain/report/report-writer.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';
import { writeMinidump } from '../../src/domain/minidump/minidump-writer.js';
import { ndjson } from '../helpers/ndjson.js';

const startCli = cliStarter();

let dir: string;
let inputs: string[];

const PRIVATE: ReportSpec = {
  machine: 'ALICE-LAPTOP.hq.acme-corp.test', os: '10.0.22631.2.0.0.256.48', lcid: 1033, user: 'ACME\\aoneil',
  app: { appname: 'Acme', apppath: 'C:\\Users\\aoneil\\AppData\\Local\\Acme\\acme.exe', appcompany: 'Acme' },
  event: { reporttype: 2, eventtype: 'APPCRASH', eventdescription: 'opened \\\\FS-BACKUP01\\share\\q3.xlsx', eventtime: 133601524131234560n },
  params: [['Application Name', 'acme.exe'], ['Path', 'C:\\Users\\aoneil\\Desktop\\budget.xlsx']],
  files: [['C:\\Users\\aoneil\\AppData\\Local\\Temp\\WER1.tmp.mdmp', 2]],
};
/** Names in the private report that must never show up redacted. */
const PRIVATE_NAMES = ['ALICE-LAPTOP', 'hq.acme-corp.test', 'acme-corp.test', 'ACME', 'aoneil', 'FS-BACKUP01', 'bob.k'];

function privateCapture(): Buffer {
  const level1 = writeLevel1Request('wer.hq.acme-corp.test:1273', encodeUtf16(writeReportXml(PRIVATE)));
  const dump = writeMinidump({
    time: new Date(Date.UTC(2026, 0, 2)), arch: 'AMD64', os: { major: 10, minor: 0, build: 22631 },
    exception: { code: 0xc0000005, address: 0x7ff6a0001234n, threadId: 4 },
    modules: [{ name: 'C:\\Users\\aoneil\\AppData\\Local\\Acme\\acme.exe', base: 0x7ff6a0000000n, size: 0x10000, timestamp: 0x6543a1b2 }],
  });
  const cab = writeCab([
    { name: 'WER1.tmp.WERInternalMetadata.xml', data: encodeUtf16(writeMetadataXml(PRIVATE)) },
    { name: 'WER1.tmp.mdmp', data: dump },
    { name: 'notes.txt', data: Buffer.from('log of C:\\Users\\bob.k\\Documents\\x.txt on ALICE-LAPTOP\r\n') },
  ], { compression: 'none' });
  const put = Buffer.concat([Buffer.from(`PUT \\PersistedCabs\\x.cab HTTP/1.1\r\nHost: wer.hq.acme-corp.test:1273\r\nContent-Length: ${cab.length}\r\n\r\n`), cab]);
  return Buffer.concat([level1, put]);
}

/** Machine, user and domain names the unredacted JSON shows for every report (the Host header
 * names the server, which stays). */
function namesIn(json: string): string[] {
  const names = new Set<string>();
  for (const ev of ndjson(json)) {
    if (ev.type === 'report') {
      const [host, ...domain] = String(ev.report.machine?.name ?? '').split('.');
      names.add(host!).add(domain.join('.'));
      for (const part of String(ev.report.user ?? '').split('\\')) names.add(part);
    }
  }
  names.delete('');
  names.delete('SYSTEM'); // a well-known account: left as is on purpose
  return [...names];
}

const occurs = (text: string, name: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu').test(text);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-redact-'));
  fs.writeFileSync(path.join(dir, 'private.bin'), privateCapture());
  inputs = [
    ...vectorFiles('.http'),
    ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.http')).map((f) => path.join(SAMPLES, f)),
    path.join(dir, 'private.bin'),
  ];
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every base64 string in a JSON value: fields named base64, _base64 or _rawHead, and texts
 * marked `encoding`/`_encoding: base64`. */
function base64Fields(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(base64Fields);
  if (!v || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  const own = Object.entries(o).filter(([k, x]) => typeof x === 'string' && (['base64', '_base64', '_rawHead'].includes(k)
    || (k === 'text' && (o.encoding === 'base64' || o._encoding === 'base64')))).map(([, x]) => x as string);
  return [...own, ...Object.values(o).flatMap(base64Fields)];
}

describe('decode --redact', () => {
  it('leaves no machine, user or domain name in the human view, --json or --har', () => {
    const plain = runCli(['decode', '--json', ...inputs]).stdout.toString();
    const names = [...namesIn(plain), ...PRIVATE_NAMES];
    expect(names).toEqual(expect.arrayContaining(['DESK-7731', 'corp.example.test', 'a.nguyen', 'WKS-0042', 'jdoe', 'aoneil']));
    const har = path.join(dir, 'r.har');
    const outputs: Record<string, string> = {
      human: runCli(['decode', '-vvv', '--redact', '--color', 'never', ...inputs]).stdout.toString(),
      colour: runCli(['decode', '-vvv', '--redact', '--color', 'always', ...inputs]).stdout.toString(),
      json: runCli(['decode', '--redact', '--json', '--har', har, ...inputs]).stdout.toString(),
    };
    outputs.har = fs.readFileSync(har, 'utf8');
    // the default one-line view hides the same names
    const line = runCli(['decode', '--redact', '--color', 'never', ...inputs]).stdout.toString();
    expect(line).toMatch(/machine-1/);
    for (const name of names) expect(occurs(line, name), `${name} in the one-line view`).toBe(false);
    const unredacted = plain + runCli(['decode', '-vvv', '--color', 'never', ...inputs]).stdout.toString();
    for (const name of names) expect(occurs(unredacted, name), `${name} in the unredacted output`).toBe(true);
    for (const [what, text] of Object.entries(outputs)) {
      expect(text.length, what).toBeGreaterThan(10_000);
      for (const name of names) expect(occurs(text, name), `${name} in ${what}`).toBe(false);
      expect(text, what).toMatch(/machine-1/);
      expect(text, what).toMatch(/user-1/);
    }
    // Paths keep their shape; the JSON and HAR stay valid; binary bytes are left out.
    // (the app folder "Acme" is replaced too: it spells the domain ACME, and matching ignores case)
    expect(outputs.human).toMatch(/C:\\Users\\user-\d+\\AppData\\Local\\domain-\d+\\domain-\d+\.exe/);
    expect(outputs.human).toMatch(/\\\\machine-\d+\\share\\q3\.xlsx/);
    expect(() => outputs.json.trim().split('\n').map((l) => JSON.parse(l))).not.toThrow();
    const doc = JSON.parse(outputs.har);
    // Nor in the bytes the JSON and HAR carry as base64 (exact heads and bodies for replay):
    // replacing names in the text cannot reach inside them, so they must not be there at all.
    const carried = [doc, ...ndjson(outputs.json)].flatMap(base64Fields);
    for (const b64 of carried) {
      const bytes = Buffer.from(b64, 'base64');
      for (const name of names) {
        expect(occurs(bytes.toString('latin1') + bytes.toString('utf16le'), name), `${name} inside a base64 field`).toBe(false);
      }
    }
    const put = doc.log.entries.find((e: { request: { postData?: { _kind: string } } }) => e.request.postData?._kind === 'binary');
    expect(put.request.postData.text).toBe('');
    expect(put.request.postData.comment).toBe('binary body left out under --redact');
  });

  it('gives the same name the same pseudonym everywhere in one run, and different names different ones', () => {
    // The four samples: four machines, all in corp.example.test, all sending to wer.corp.example.test.
    const files = ['appcrash', 'bluescreen', 'generic', 'hang'].map((k) => path.join(SAMPLES, `${k}.http`));
    const events = ndjson(runCli(['decode', '--redact', '--json', ...files]).stdout);
    const machines = events.filter((e) => e.type === 'report').map((e) => String(e.report.machine.name));
    expect(machines).toHaveLength(4);
    expect(new Set(machines.map((m) => m.split('.')[0])).size).toBe(4);
    expect(new Set(machines.map((m) => m.split('.').slice(1).join('.')))).toEqual(new Set(['domain-1']));
    const hosts = events.filter((e) => e.type === 'request').map((e) => e.headers.find((h: string[]) => h[0] === 'Host')[1]);
    // the server's name stays; only the domain it shares with the machines is replaced
    expect(new Set(hosts)).toEqual(new Set(['wer.domain-1:1273']));
    const view = runCli(['decode', '-vv', '--redact', '--color', 'never', ...files]).stdout.toString();
    expect(view).toContain('WER report · APPCRASH');
    expect(view).toContain('Host: wer.domain-1:1273');
    expect(view).not.toMatch(/machine-\d+ report/);
    expect(machines.every((m) => /^machine-\d+\.domain-1$/.test(m))).toBe(true);
  });

  it('refuses -x with --redact (a hexdump would show names)', () => {
    const r = runCli(['decode', '--redact', '-x', inputs[0]!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--redact and -x/);
  });

  it('cab --redact hides the names in the metadata, text files and minidump', () => {
    const capture = privateCapture();
    const cabAt = capture.indexOf('MSCF');
    const file = path.join(dir, 'p.cab');
    fs.writeFileSync(file, capture.subarray(cabAt));
    const plain = runCli(['cab', file, '--color', 'never']).stdout.toString();
    expect(occurs(plain, 'aoneil') && occurs(plain, 'bob.k')).toBe(true);
    for (const args of [['--color', 'never'], ['--json']]) {
      const out = runCli(['cab', file, '--redact', ...args]).stdout.toString();
      // The machine name is not in the CAB itself (only in the level-1 report), so cab cannot know it.
      for (const name of ['aoneil', 'bob.k']) expect(occurs(out, name), `${name} ${args}`).toBe(false);
      expect(out).toMatch(/Users\\+user-\d/);
    }
  });
});

describe('listen --redact', () => {
  it('redacts the live view, --json, --har and save-dir notices; -o and --save-dir raw files stay exact', async () => {
    const har = path.join(dir, 'live.har');
    const raw = path.join(dir, 'live.bin');
    const saveDir = path.join(dir, 'saved');
    const cli = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--redact', '--json', '--har', har, '-o', raw, '--save-dir', saveDir]);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const names = ['SIM-PC-01', 'sim.example.test', 'tester'];
    const json = cli.stdout().toString();
    expect(json.split('\n').filter((l) => l.includes('"type":"report"'))).toHaveLength(4);
    for (const [what, text] of [['json', json], ['har', fs.readFileSync(har, 'utf8')], ['stderr', cli.stderr()]] as const) {
      for (const n of names) expect(occurs(text, n), `${n} in ${what}`).toBe(false);
    }
    expect(json).toMatch(/"user":"domain-\d+\\\\user-\d+"/);
    // Raw outputs keep every byte: the names are there in UTF-16.
    const bytes = fs.readFileSync(raw);
    expect(bytes.includes(Buffer.from('SIM-PC-01', 'utf16le'))).toBe(true);
    const folders = fs.readdirSync(saveDir);
    expect(folders.some((f) => f.includes('SIM-PC-01'))).toBe(true);
    const level1 = fs.readFileSync(path.join(saveDir, folders[0]!, 'level1.http'));
    expect(level1.includes(Buffer.from('tester', 'utf16le'))).toBe(true);
  }, 30_000);
});

describe('relay --redact', () => {
  it('redacts both directions of the relayed traffic in --json', async () => {
    const upstream = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json']);
    const relay = await startCli(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '--redact', '--json']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${relay.port}`, '--kind', 'appcrash,hang', '--color', 'never']);
    expect(sim.code).toBe(0);
    for (const c of [relay, upstream]) c.child.kill('SIGINT');
    await Promise.all([relay.exited, upstream.exited]);
    const plain = upstream.stdout().toString();
    const json = relay.stdout().toString();
    expect(json.split('\n').filter((l) => l.includes('"type":"response"')).length).toBe(4);
    for (const n of ['SIM-PC-01', 'sim.example.test', 'tester']) {
      expect(occurs(plain, n), `${n} in the upstream's plain view`).toBe(true);
      expect(occurs(json, n), `${n} in the relay's view`).toBe(false);
    }
  }, 30_000);
});
