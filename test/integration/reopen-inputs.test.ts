// Everything wer-sniff saves opens again (issue 14 §3): one `listen` run with every output
// (-o raw bytes, -w pcap, --har, --save-dir) in front of `simulate`, plus a pcapng that tshark
// writes from that pcap and a foreign HAR 1.2 in a browser export's style (no wer-sniff fields).
// Every kind — raw, pcap, pcapng, our HAR, the foreign HAR, one report folder, the save-dir root
// — is opened by decode, check, diff and replay (against a listener on 127.0.0.1 port 0), told
// apart by content (the files are named .dat). The save-dir reopens as the same reports with a
// CAB cabextract accepts, and `ls` lists it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, startCli, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { ndjson } from '../helpers/ndjson.js';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const TSHARK = hasCommand('tshark');
const CABEXTRACT = hasCommand('cabextract');
const tmp = tempDir('wer-sniff-reopen-');
const at = (n: string) => path.join(tmp, n);
const FOREIGN = path.join(FIXTURES, 'har', 'browser-export.har');

/** Input kind → path; extensions say nothing (content decides). */
const inputs: Record<string, string> = {};
let liveEvents: Record<string, any>[] = [];
let target: RunningCli;

beforeAll(async () => {
  const live = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--save-dir', at('saved'), '--har', at('own.dat'), '-o', at('raw.dat'), '-w', at('pcap.dat')]);
  const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${live.port}`, '--kind', 'appcrash,bluescreen', '--color', 'never']);
  expect(sim.code).toBe(0);
  live.child.kill('SIGINT');
  expect(await live.exited).toBe(0);
  liveEvents = ndjson(live.stdout().toString());
  const folders = fs.readdirSync(at('saved')).sort();
  Object.assign(inputs, {
    raw: at('raw.dat'), pcap: at('pcap.dat'), 'our HAR': at('own.dat'), 'foreign HAR': FOREIGN,
    'report folder': path.join(at('saved'), folders[0]!), 'save-dir root': at('saved'),
  });
  if (TSHARK) {
    const r = spawnSync('tshark', ['-r', at('pcap.dat'), '-F', 'pcapng', '-w', at('pcapng.dat')]);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(at('pcapng.dat')).readUInt32BE(0)).toBe(0x0a0d0d0a);
    inputs.pcapng = at('pcapng.dat');
  }
  target = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-q']);
}, 60_000);

afterAll(() => {
  if (target?.child.exitCode === null) target.child.kill('SIGTERM');
});

/** Reports (machine, event) each input holds: the simulate run's two, or the vectors' one. */
const expected = (kind: string) => (kind === 'foreign HAR' ? [['WKS-0042.lab.example.test', 'APPCRASH']]
  : kind === 'report folder' ? [['SIM-PC-01.sim.example.test', 'APPCRASH']]
    : [['SIM-PC-01.sim.example.test', 'APPCRASH'], ['SIM-PC-01.sim.example.test', 'BlueScreen']]);

const KINDS = ['raw', 'pcap', 'pcapng', 'our HAR', 'foreign HAR', 'report folder', 'save-dir root'];

describe.each(KINDS)('%s', (kind) => {
  const skip = () => kind === 'pcapng' && !TSHARK;

  it('decode: the same reports, with their CABs', async () => {
    if (skip()) return;
    const r = await runCliAsync(['decode', '--json', '--all-ports', inputs[kind]!]);
    const evs = ndjson(r.stdout);
    expect(evs.filter((e) => e.type === 'report').map((e) => [e.report.machine.name, e.report.event.eventType])).toEqual(expected(kind));
    const puts = evs.filter((e) => e.type === 'request' && e.method === 'PUT');
    expect(puts).toHaveLength(expected(kind).length);
    for (const p of puts) expect(p.body.complete).toBe(true);
    // Only the foreign HAR's favicon (its body not in the HAR) is a problem.
    expect(r.code).toBe(kind === 'foreign HAR' ? 3 : 0);
    if (kind === 'foreign HAR') expect(r.stderr).toMatch(/rebuilt from the HAR fields/);
  }, 60_000);

  it('check: every report checked, none unreadable', async () => {
    if (skip()) return;
    const r = await runCliAsync(['check', '--json', '--all-ports', inputs[kind]!]);
    expect(r.code).toBe(0);
    const summary = ndjson(r.stdout).find((e) => e.type === 'summary')!;
    expect(summary.reports).toBe(expected(kind).length);
    expect(summary.counts.error).toBe(0);
  }, 60_000);

  it('diff: equal to the same conversation read from another kind', async () => {
    if (skip()) return;
    // The simulate run's first report, from the raw capture (the foreign HAR: the vectors).
    const other = kind === 'foreign HAR' ? at('vectors.dat') : `${inputs.raw}#1`;
    if (kind === 'foreign HAR') {
      fs.writeFileSync(other, Buffer.concat(['level1-appcrash.http', 'level1-response-level2.http', 'level2-put.http', 'level2-response-ok.http'].map((n) => fs.readFileSync(path.join(FIXTURES, 'vectors', n)))));
    }
    const r = await runCliAsync(['diff', '--json', '--all-ports', `${inputs[kind]!}#1`, other]);
    const out = JSON.parse(r.stdout);
    // The raw -o capture holds only what clients sent; sides with the answers differ there.
    const fields = out.pairs[0].fields.map((f: any) => f.field);
    expect(fields.filter((f: string) => !/^(answer|upload\.status)/.test(f))).toEqual([]);
    expect(r.code === 0 || kind !== 'raw').toBe(true);
  }, 60_000);

  it('replay: every request sent and answered', async () => {
    if (skip()) return;
    const r = await runCliAsync(['replay', '--all-ports', '-q', '--to', `127.0.0.1:${target.port}`, inputs[kind]!]);
    // Two requests per report (level 1 and the PUT); the foreign HAR's favicon too.
    const n = expected(kind).length * 2 + (kind === 'foreign HAR' ? 1 : 0);
    expect(r.stderr).toMatch(new RegExp(`replayed: ${n} sent, ${n} answered, 0 failed`));
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('a save-dir reopens as what was captured', () => {
  it('the same report and the same CAB bytes as the live run; cabextract accepts the CAB', async () => {
    const r = await runCliAsync(['decode', '--json', at('saved')]);
    const evs = ndjson(r.stdout);
    const reports = (list: Record<string, any>[]) => list.filter((e) => e.type === 'report').map((e) => e.report);
    expect(reports(evs)).toEqual(reports(liveEvents));
    const bodies = (list: Record<string, any>[], method: string) => list.filter((e) => e.type === 'request' && e.method === method).map((e) => e.body.sha256);
    expect(bodies(evs, 'PUT')).toEqual(bodies(liveEvents, 'PUT'));
    expect(bodies(evs, 'POST')).toEqual(bodies(liveEvents, 'POST'));
    // The PUT's exact head is kept beside its CAB.
    const first = inputs['report folder']!;
    const head = fs.readFileSync(path.join(first, 'level2.head.http'), 'latin1');
    expect(head).toMatch(/^PUT \\\S+\.cab HTTP\/1\.1\r\n[\s\S]*\r\n\r\n$/);
    if (CABEXTRACT) {
      const t = spawnSync('cabextract', ['-t', path.join(first, 'report.cab')]);
      expect(t.status).toBe(0);
      expect(t.stdout.toString()).toMatch(/All done, no errors/);
    }
  }, 60_000);

  it('ls: one line per folder, oldest first; --filter in decode\'s language; --json', async () => {
    const all = await runCliAsync(['ls', '--color', 'never', at('saved')]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time \(UTC\)\s+machine\s+event\s+app\s+exception\s+CAB\s+size\s+check\s+folder$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[2])).toEqual(['APPCRASH', 'BlueScreen']);
    expect(lines[1]).toMatch(/SIM-PC-01 +APPCRASH +crashme\.exe 1\.0\.0\.0 +c0000005 @ faulty\.dll\+0x[0-9a-f]+ +yes +\d+ B +ok +\d{8}T\d{6}Z_SIM-PC-01/);
    const some = await runCliAsync(['ls', '--json', '--filter', 'event=BlueScreen and status=200', at('saved')]);
    const rows = ndjson(some.stdout);
    expect(rows.map((x) => [x.type, x.event, x.cab, x.check])).toEqual([['saved-report', 'BlueScreen', 'yes', { errors: 0, warnings: 0, notes: 0 }]]);
    expect(fs.existsSync(rows[0]!.folder)).toBe(true);
    const bad = await runCliAsync(['ls', '--filter', 'event=', at('saved')]);
    expect(bad.code).toBe(2);
    // A folder whose report is broken (its closing tag overwritten, same length): the check column
    // says so, as `check` of that folder would.
    const broken = path.join(at('broken'), path.basename(rows[0]!.folder));
    fs.cpSync(rows[0]!.folder, broken, { recursive: true });
    const level1 = fs.readFileSync(path.join(broken, 'level1.http'));
    const close = Buffer.from('</WERREPORT>', 'utf16le');
    const at1 = level1.lastIndexOf(close);
    expect(at1).toBeGreaterThan(0);
    Buffer.from('<WERREPORTX', 'utf16le').copy(level1, at1);
    fs.writeFileSync(path.join(broken, 'level1.http'), level1);
    const judged = await runCliAsync(['ls', '--color', 'never', at('broken')]);
    expect(judged.stdout.trimEnd().split('\n')[1]).toMatch(/ +yes +\d+ B +\d+ errors? +\d{8}T/);
    const checked = await runCliAsync(['check', broken]);
    expect(checked.code).toBe(1);
    const file = await runCliAsync(['ls', inputs.raw!]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/is a file, not a --save-dir folder/);
  }, 60_000);
});
