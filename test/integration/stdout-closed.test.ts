// `listen -o f --save-dir d | head -c 10`: the reader of stdout goes away while files still
// record. The view is dropped with one stderr line and the capture goes on — the client is
// served to the end, -o holds the whole conversation, the folder is complete, and the run ends
// with its summary on SIGINT. (Without anything else recording it still ends quietly: see
// faults-outputs.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/run-async.js';
import { cliStarter } from '../helpers/cli.js';

const startCli = cliStarter();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-stdout-closed-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function startWithClosingReader(args: string[]) {
  const cli = await startCli(args);
  // Like `head -c 10`: take the first bytes, then close the pipe.
  cli.child.stdout.once('data', () => cli.child.stdout.destroy());
  return cli;
}

describe('stdout closed while files still record', () => {
  it.each([['human view', []], ['--json', ['--json']]])('%s: the view stops, capture goes on, summary and exit 0 on SIGINT', async (_name, mode) => {
    const dir = path.join(tmp, `saved-${mode.length}`);
    const out = path.join(tmp, `cap-${mode.length}.bin`);
    const cli = await startWithClosingReader(['listen', '-p', '0', '-b', '127.0.0.1', '-o', out, '--save-dir', dir, '--color', 'never', ...mode]);
    // Three simulated clients one after another (each a report and its CAB upload): the view
    // writes for the first, the pipe is gone by the later ones.
    for (let i = 0; i < 3; i++) {
      const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'all', '--color', 'never']);
      expect(sim.stderr).toBe('simulate: 4 level-1 reports answered, 4 CABs accepted\n');
      expect(sim.code).toBe(0);
    }
    expect(cli.child.exitCode).toBeNull(); // still running
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const lines = cli.stderr().split('\n');
    expect(lines.filter((l) => l.includes('stdout was closed'))).toEqual([
      `wer-sniff: stdout was closed, so the view stopped; capture goes on into -o ${out}, --save-dir ${dir} — stop it with Ctrl-C or SIGTERM`,
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^stopped: 12 connections, 24 requests, 12 reports, /));
    const folders = fs.readdirSync(dir);
    expect(folders).toHaveLength(12);
    for (const f of folders) expect(fs.readdirSync(path.join(dir, f))).toContain('report.cab');
    const raw = fs.readFileSync(out).toString('latin1');
    expect(raw.match(/POST \/stage2\.htm HTTP\/1\.1\r\n/g)).toHaveLength(12);
    expect(raw.match(/PUT \S+ HTTP\/1\.1\r\n/g)).toHaveLength(12);
  }, 60_000);
});
