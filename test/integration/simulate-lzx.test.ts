// `simulate --compression lzx` against `listen --save-dir`: the server keeps the LZX CAB as sent,
// extracts it into cab/ with our decoder, and cabextract agrees with every byte.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasCommand, cliStarter } from '../helpers/cli.js';
import { skipNote } from '../helpers/peers.js';
import { runCliAsync } from '../helpers/run-async.js';
import { tempDir } from '../helpers/temp.js';
import { parseCab } from '../../src/domain/cab/cab.js';

const startCli = cliStarter();

const tmp = tempDir('wer-sniff-sim-lzx-');

describe('simulate --compression lzx ⇄ listen --save-dir', () => {
  // Our extraction is checked either way; cabextract's agreement only where it is installed
  // (always under CI), and the title says when it was not.
  it(`uploads LZX CABs that the server extracts as cabextract does${skipNote('cabextract')}`, async () => {
    const saveDir = path.join(tmp, 'reports');
    const listen = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--save-dir', saveDir, '--json']);
    try {
      // async: the listener's --json pipe is read by this process while simulate runs
      const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${listen.port}`, '--kind', 'appcrash,bluescreen', '--compression', 'lzx', '--color', 'never']);
      expect(sim.stderr).toBe('simulate: 2 level-1 reports answered, 2 CABs accepted\n');
      expect(sim.code).toBe(0);
    } finally {
      listen.child.kill('SIGINT');
      await listen.exited;
    }
    const folders = fs.readdirSync(saveDir).sort();
    expect(folders).toHaveLength(2);
    for (const f of folders) {
      const cab = path.join(saveDir, f, 'report.cab');
      expect(parseCab(fs.readFileSync(cab)).folders[0]!.compression).toEqual({ method: 'lzx', lzxWindowBits: 21 });
      const ours = path.join(saveDir, f, 'cab');
      const names = fs.readdirSync(ours).sort();
      expect(names.some((n) => /\.(mdmp|dmp)$/.test(n))).toBe(true);
      if (!hasCommand('cabextract')) continue;
      const out = path.join(tmp, 'cx', f);
      const r = spawnSync('cabextract', ['-q', '-d', out, cab]);
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual(names);
      for (const n of names) expect(fs.readFileSync(path.join(ours, n)).equals(fs.readFileSync(path.join(out, n))), `${f}/${n}`).toBe(true);
    }
  });
});
