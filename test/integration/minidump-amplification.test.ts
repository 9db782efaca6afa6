// The red-team CAB, live: 160,000 minidump module records sharing one 64 KiB name, MSZIP-packed
// into 437 KB and PUT to a real `wer-sniff listen`. Before the summary caps the process ran out
// of memory (exit 134) and every connection dropped; now the PUT is answered, another client's
// level-1 report after it is answered too, and the listener is still running. `cab --json` on
// the same CAB, and `decode --json` of a saved capture of the PUT, exit normally with bounded
// output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter, runCli } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { VECTORS } from '../helpers/paths.js';
import { AMPLIFIED_MODULES, amplifiedCab } from '../helpers/amplified-dump.js';
import { until } from '../helpers/wait.js';
import { ndjson } from '../helpers/ndjson.js';

const startCli = cliStarter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-amp-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const CAB = amplifiedCab();
const level1 = fs.readFileSync(path.join(VECTORS, 'level1-hang.http'));

describe('the 437 KB name-amplification CAB', () => {
  it('is the size the red team sent', () => {
    expect(CAB.length).toBeGreaterThan(400_000);
    expect(CAB.length).toBeLessThan(480_000);
  });

  it.each([[['--json']], [['-v']]])('listen %j answers its PUT, then another client, and stays up', async (flags) => {
    const listen = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--color', 'never', ...flags]);
    const first = (await sendAndCollect(listen.port, [level1])).toString('latin1');
    const dump = /DumpFile=(.*)\r\n/.exec(first)?.[1];
    expect(dump).toBeDefined();
    const head = `PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${CAB.length}\r\nConnection: close\r\n\r\n`;
    const t0 = performance.now();
    const put = (await sendAndCollect(listen.port, [Buffer.from(head, 'latin1'), CAB])).toString('latin1');
    const putMs = performance.now() - t0;
    expect(put).toMatch(/^HTTP\/1\.1 200 /);
    const second = (await sendAndCollect(listen.port, [level1])).toString('latin1');
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toContain('DumpFile=');
    expect(listen.child.exitCode).toBeNull();
    expect(putMs).toBeLessThan(15_000);
    // the live view names the crash and summarises the list instead of printing it; the CAB is
    // summarised on a worker, so its lines come when the summary is back
    await until('the CAB summary in the view', () => /modules \(1 distinct name|"moduleNames":1/.test(listen.stdout().toString()), 20_000);
    const out = listen.stdout().toString();
    expect(out.length).toBeLessThan(2_000_000);
    if (flags.includes('--json')) {
      const events = ndjson(out);
      const putEvent = events.find((e) => e.type === 'request' && e.method === 'PUT');
      const mini = putEvent.body.cab.files.find((f: { kind: string }) => f.kind === 'minidump').minidump;
      // A live upload's dump is read by range from its spool, so every record is counted (no
      // partial read); the list and the decoded names stay capped.
      expect(mini.partial).toBeUndefined();
      expect(mini.moduleCount).toBe(AMPLIFIED_MODULES);
      expect(mini.moduleNames).toBe(1);
      expect(mini.modules).toHaveLength(1000);
    } else {
      expect(out).toMatch(/1\d\d,\d{3} modules \(1 distinct name, 1,000 listed\)/);
    }
  }, 60_000);

  it('cab --json exits normally with a bounded document', () => {
    const file = path.join(tmp, 'amplified.cab');
    fs.writeFileSync(file, CAB);
    const r = runCli(['cab', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(1_000_000);
    const doc = JSON.parse(r.stdout.toString());
    const mini = doc.entries.find((e: { kind: string }) => e.kind === 'minidump').minidump;
    expect(mini.moduleCount).toBeGreaterThan(150_000); // of the dump's first 16 MiB, as the view reads it
    expect(mini.problems.map((p: { code: string }) => p.code)).toContain('capped');
  }, 60_000);

  it('decode --json of a saved capture of the PUT finishes with bounded NDJSON', () => {
    const file = path.join(tmp, 'capture.bin');
    const head = `PUT /PersistedCabs/x.cab HTTP/1.1\r\nHost: x\r\nContent-Length: ${CAB.length}\r\n\r\n`;
    fs.writeFileSync(file, Buffer.concat([Buffer.from(head, 'latin1'), CAB]));
    const r = runCli(['decode', file, '--json']);
    expect(r.stderr).toBe('');
    // A summary that lists less than the dump holds is not damage: no bad-minidump, exit 0.
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(2_000_000);
    const events = ndjson(r.stdout);
    expect(events.filter((e) => e.type === 'problem')).toEqual([]);
    expect(r.stdout.toString()).toContain('capped');
  }, 60_000);
});
