// The whole conversation, both ends ours but each checked by a real peer: `simulate` (a WER
// client) against `listen --save-dir`, for every kind; the folder's report.cab must be the
// bytes sent, and its cab/ folder must hold what cabextract extracts from it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, cliStarter } from '../helpers/cli.js';
import { peer, skipNote } from '../helpers/peers.js';
import { refusingAddress } from '../helpers/net.js';
import { runCliAsync } from '../helpers/run-async.js';
import { ndjson } from '../helpers/ndjson.js';
import { vectorPath, readVector } from '../helpers/paths.js';

const startCli = cliStarter();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const full = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
      out.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full));
    }
  }
  return out;
}

describe('simulate ⇄ listen --save-dir', () => {
  it(`completes level 1 and level 2 for every kind and fills one folder per report; cabextract agrees with cab/${skipNote('cabextract')}`, async (ctx) => {
    const saveDir = path.join(tmp, 'reports');
    const listen = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', saveDir, '--json']);
    try {
      const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${listen.port}`, '--kind', 'all', '--color', 'never']);
      expect(sim.stderr).toBe('simulate: 4 level-1 reports answered, 4 CABs accepted\n');
      expect(sim.code).toBe(0);
      expect(sim.stdout.toString().match(/level 2 complete/g)).toHaveLength(4);
      const custom = await runCliAsync(['simulate', '--to', `127.0.0.1:${listen.port}`, '--kind', 'generic', '--cab', vectorPath('sample-report-mszip.cab')]);
      expect(custom.code).toBe(0);
    } finally {
      listen.child.kill('SIGINT');
      await listen.exited;
    }
    const events = ndjson(listen.stdout());
    const reports = events.filter((e) => e.type === 'report');
    expect(reports.map((r) => r.report.event.eventType)).toEqual(['APPCRASH', 'AppHangB1', 'BlueScreen', 'SimulatedFailure', 'SimulatedFailure']);
    // Each PUT carries its report's id, and its CAB was listed live with the minidump's crash.
    const puts = events.filter((e) => e.type === 'request' && e.method === 'PUT');
    expect(puts.map((p) => p.reportId)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    const dump = puts[0].body.cab.files.find((f: { kind: string }) => f.kind === 'minidump');
    expect(dump.minidump.exception.code).toBe('c0000005');
    expect(dump.minidump.exception.module.name).toMatch(/faulty\.dll$/);

    const folders = fs.readdirSync(saveDir).sort();
    expect(folders).toHaveLength(5);
    for (const f of folders) {
      expect(f).toMatch(/^\d{8}T\d{6}Z_SIM-PC-01\.sim\.example\.test_[^_]+_[A-Za-z0-9]+_\d+$/);
      const dir = path.join(saveDir, f);
      const names = fs.readdirSync(dir).sort();
      // minidump.json / minidump.txt when the CAB holds a dump (all but the vector CAB's fake one may)
      expect(names.filter((n) => !n.startsWith('minidump.'))).toEqual(['cab', 'level1.http', 'level2.head.http', 'level2.response.http', 'report.cab', 'report.json', 'report.xml', 'response.txt']);
      expect(fs.readFileSync(path.join(dir, 'level1.http')).subarray(0, 26).toString()).toBe('POST /stage2.htm HTTP/1.1\r');
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).report.machine.name).toBe('SIM-PC-01.sim.example.test');
      expect(fs.readFileSync(path.join(dir, 'report.xml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-16"\?><WERREPORT/);
      expect(fs.readFileSync(path.join(dir, 'response.txt'), 'latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*iData=1\r\nDumpFile=/);
    }
    // The first report's dump, summarised beside cab/: the same summary the live --json showed.
    const first = path.join(saveDir, folders.find((f) => f.endsWith('_1'))!);
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'minidump.json'), 'utf8'));
    expect(saved.minidump).toEqual(dump.minidump);
    expect(saved.file).toBe(dump.name);
    const text = fs.readFileSync(path.join(first, 'minidump.txt'), 'utf8');
    expect(text).toMatch(/c0000005/);
    expect(text).toMatch(/faulty\.dll/);
    expect(text).not.toMatch(/\x1b/);
    // The report that uploaded the shared vector CAB has it byte for byte.
    const last = path.join(saveDir, folders.find((f) => f.endsWith('_5'))!);
    expect(fs.readFileSync(path.join(last, 'report.cab')).equals(readVector('sample-report-mszip.cab'))).toBe(true);

    if (!peer('cabextract')) return ctx.skip('cabextract not installed: the saved report.cab files were not checked by cabextract');
    {
      for (const f of folders) {
        const dir = path.join(saveDir, f);
        const out = path.join(tmp, 'cx', f);
        fs.mkdirSync(out, { recursive: true });
        const r = spawnSync('cabextract', ['-q', '-d', out, path.join(dir, 'report.cab')]);
        expect(r.status, r.stderr.toString()).toBe(0);
        const theirs = filesUnder(out);
        const ours = filesUnder(path.join(dir, 'cab'));
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const [name, data] of theirs) expect(ours.get(name)!.equals(data), `${f}/${name}`).toBe(true);
      }
    }
  });

  it('simulate says clearly when nothing listens', async () => {
    const nobody = await refusingAddress();
    try {
      const r = await runCliAsync(['simulate', '--to', nobody.hostPort]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^wer-sniff: cannot connect to ${nobody.hostPort.replace(/\./g, '\\.')}: connection refused \\(ECONNREFUSED\\) — is wer-sniff listen`));
    } finally {
      await nobody.close();
    }
  });
});

describe('setup and cab', () => {
  it('setup prints reg add lines and writes a UTF-16 .reg file', () => {
    const reg = path.join(tmp, 'wer.reg');
    const r = runCli(['setup', '--server', 'sniffer.example.test', '--port', '8080', '--reg-file', reg]);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain('reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERServer /t REG_SZ /d sniffer.example.test /f');
    expect(out).toContain('/v CorporateWERPortNumber /t REG_DWORD /d 8080 /f');
    const text = fs.readFileSync(reg);
    expect(text.subarray(0, 2).equals(Buffer.from([0xff, 0xfe]))).toBe(true);
    expect(text.subarray(2).toString('utf16le')).toContain('"CorporateWERPortNumber"=dword:00001f90\r\n');
    expect(runCli(['setup', '--server', 'bad name']).code).toBe(2);
  });

  it('cab lists, summarises and extracts the shared sample', () => {
    const out = path.join(tmp, 'cabout');
    const r = runCli(['cab', vectorPath('sample-report-mszip.cab'), '--extract', out, '--color', 'never']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text).toMatch(/cabinet · 3 files · 1 folder \(MSZIP\)/);
    expect(text).toContain('WER5A11.tmp.mdmp');
    expect(text).toMatch(/Windows NT 10\.0 · build 19045/);
    expect(fs.readdirSync(out).sort()).toEqual(['WER4F2A.tmp.WERInternalMetadata.xml', 'WER51C0.tmp.Version.txt', 'WER5A11.tmp.mdmp']);
    const bad = runCli(['cab', vectorPath('level1-generic.http')]);
    expect(bad.code).toBe(1);
  });
});
