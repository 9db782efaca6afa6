// `wer-sniff inspect` opens a --save-dir folder (reports with their report.cab) and a raw
// capture, and serves them until SIGTERM; `--web` on a public address needs --web-bind-public.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cliStarter, runCli } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { waitForUrl } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function getJson(url: string, p: string): Promise<unknown> {
  const u = new URL(url);
  const res = await fetch(`${u.origin}${p}${p.includes('?') ? '&' : '?'}token=${u.searchParams.get('token')}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('wer-sniff inspect', () => {
  it('opens a --save-dir folder: its reports, each with its saved CAB', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-inspect-'));
    dirs.push(dir);
    const cli = await start(['listen', '-p', '0', '-q', '--save-dir', dir]);
    expect(runCli(['simulate', '--to', `127.0.0.1:${cli.port}`, '--count', '2', '--machines', '2']).code).toBe(0);
    await until('two report folders with their CAB', () => fs.readdirSync(dir).filter((f) => fs.existsSync(path.join(dir, f, 'report.cab'))).length === 2);
    cli.child.kill('SIGTERM');
    await cli.exited;

    const child = spawn(process.execPath, [BIN, 'inspect', '--web', ':0', dir]);
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await waitForUrl(() => err);
      await until('the loaded line', () => err.includes('loaded'));
      // Each folder reopens as its whole conversation: the report and the PUT of its report.cab.
      expect(err).toMatch(/4 exchanges loaded; the web inspector serves until Ctrl-C/);
      const all = (await getJson(url, '/api/rows')) as { rows: { id: number; machine: string; kind: string }[] };
      expect(all.rows.map((r) => r.kind).sort()).toEqual(['report', 'report', 'upload', 'upload']);
      const rows = { rows: all.rows.filter((r) => r.kind === 'report') };
      expect(rows.rows.map((r) => r.machine).sort()).toEqual(['SIM-PC-01.sim.example.test', 'SIM-PC-02.sim.example.test']);
      const detail = (await getJson(url, `/api/record/${rows.rows[0]!.id}`)) as { cab: { source: string; files: { name: string }[] }; downloads: { cab: boolean } };
      expect(detail.cab.source).toBe('upload');
      expect(detail.cab.files.map((f) => f.name)).toContain('Version.txt');
      expect(detail.downloads.cab).toBe(true);
      const cab = await fetch(`${new URL(url).origin}/api/record/${rows.rows[0]!.id}/cab?token=${new URL(url).searchParams.get('token')}`);
      const folder = fs.readdirSync(dir).map((f) => path.join(dir, f)).find((f) => fs.readFileSync(path.join(f, 'level1.http')).includes(Buffer.from(rows.rows[0]!.machine.split('.')[0]!, 'utf16le')))!;
      expect(Buffer.from(await cab.arrayBuffer()).equals(fs.readFileSync(path.join(folder, 'report.cab')))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a public address without --web-bind-public, and --redact', () => {
    const r = runCli(['inspect', '--web', '0.0.0.0:0', 'nothing.bin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address.*--web-bind-public/);
    const d = runCli(['decode', '--web', ':0', '--redact', '-'], '');
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--redact does not reach the web inspector/);
  });
});
