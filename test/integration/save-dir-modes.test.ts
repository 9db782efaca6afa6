// --save-dir in every capture mode writes the same report folders: a real CER conversation
// (our `simulate` client, every kind, plus a vector CAB) relayed through `relay --save-dir`
// to our own `listen --save-dir` as the upstream, and the listener's pcap decoded with
// `decode --save-dir`. The folders must hold the same files, byte for byte, and cabextract
// must agree with each cab/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { peer, skipNote } from '../helpers/peers.js';
import { runCliAsync } from '../helpers/run-async.js';
import { vectorPath } from '../helpers/paths.js';

const startCli = cliStarter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-modes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir` by its path relative to `dir` (with `/`). */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full));
  }
  return out;
}

/** The folders of a save-dir by name without its time stamp (the relay and its upstream see a
 * request end a few ms apart, which may be another second), each with its files. report.json
 * names the peer, which differs by where the report was seen: compared without it. */
function saveDirContents(dir: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const folder of fs.readdirSync(dir).sort()) {
    expect(folder).toMatch(/^\d{8}T\d{6}Z_/);
    const files = new Map<string, string>();
    for (const [name, data] of filesUnder(path.join(dir, folder))) {
      if (name === 'report.json') {
        const json = JSON.parse(data.toString('utf8'));
        delete json.peer;
        files.set(name, JSON.stringify(json));
      } else files.set(name, data.toString('base64'));
    }
    out.set(folder.replace(/^\d{8}T\d{6}Z_/, ''), files);
  }
  return out;
}

function expectCabextractAgrees(saveDir: string): void {
  for (const f of fs.readdirSync(saveDir)) {
    const dir = path.join(saveDir, f);
    const out = path.join(tmp, 'cx', path.basename(saveDir), f);
    fs.mkdirSync(out, { recursive: true });
    const r = spawnSync('cabextract', ['-q', '-d', out, path.join(dir, 'report.cab')]);
    expect(r.status, r.stderr.toString()).toBe(0);
    const theirs = filesUnder(out);
    const ours = filesUnder(path.join(dir, 'cab'));
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [name, data] of theirs) expect(ours.get(name)!.equals(data), `${f}/${name}`).toBe(true);
  }
}

describe('--save-dir in listen, relay and decode', () => {
  it(`relay --save-dir to listen --save-dir, and decode of the listener's pcap: the same report folders${skipNote('cabextract')}`, async (ctx) => {
    const [viaListen, viaRelay, viaDecode] = ['listen', 'relay', 'decode'].map((n) => path.join(tmp, n));
    const pcap = path.join(tmp, 'upstream.pcap');
    const upstream = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '-q', '--save-dir', viaListen!, '-w', pcap]);
    const relay = await startCli(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '-q', '--save-dir', viaRelay!]);
    try {
      const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${relay.port}`, '--kind', 'all', '--color', 'never']);
      expect(sim.stderr).toBe('simulate: 4 level-1 reports answered, 4 CABs accepted\n');
      const custom = await runCliAsync(['simulate', '--to', `127.0.0.1:${relay.port}`, '--kind', 'generic', '--cab', vectorPath('sample-report-mszip.cab')]);
      expect(custom.code).toBe(0);
    } finally {
      relay.child.kill('SIGINT');
      expect(await relay.exited).toBe(0);
      upstream.child.kill('SIGINT');
      expect(await upstream.exited).toBe(0);
    }
    const decode = await runCliAsync(['decode', pcap, '--port', String(upstream.port), '-q', '--save-dir', viaDecode!]);
    expect(decode.stderr).toBe('');
    expect(decode.code).toBe(0);

    const listened = saveDirContents(viaListen!);
    expect(listened.size).toBe(5);
    for (const files of listened.values()) {
      expect([...files.keys()].filter((n) => !n.startsWith('cab/') && !n.startsWith('minidump.')).sort())
        .toEqual(['level1.http', 'level2.head.http', 'level2.response.http', 'report.cab', 'report.json', 'report.xml', 'response.txt']);
    }
    expect(saveDirContents(viaRelay!)).toEqual(listened);
    expect(saveDirContents(viaDecode!)).toEqual(listened);

    if (!peer('cabextract')) return ctx.skip('cabextract not installed: the saved report.cab files were not checked by cabextract');
    for (const dir of [viaListen!, viaRelay!, viaDecode!]) expectCabextractAgrees(dir);
    // Three CLIs, two simulate runs, a decode and 15 cabextract runs: ~15 s on an idle
    // 2-core machine, more beside other suites.
  }, 120_000);
});
