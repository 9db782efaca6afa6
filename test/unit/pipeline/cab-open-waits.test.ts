// The CAB worker reads a spooled upload while a burst of clients may hold every descriptor:
// its open waits until one is free (the sockets close once answered) instead of failing the
// job — which left the report's folder without cab/ under `ulimit -n 128` with 300 clients.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { tempDir } from '../../helpers/temp.js';

const dir = tempDir('wer-sniff-cab-open-');
const bash = process.platform !== 'win32' && spawnSync('bash', ['-c', 'true']).status === 0;
const dist = (file: string): string => JSON.stringify(new URL(`../../../dist/pipeline/workers/${file}`, import.meta.url).href);

test.runIf(bash)('out of file descriptors: the spooled CAB is read once one is free, and extracted whole', () => {
  const cab = path.join(dir, 'upload.cab');
  fs.writeFileSync(cab, writeCab([{ name: 'Version.txt', data: Buffer.from('Windows NT Version 10.0\r\n', 'latin1') }], { compression: 'mszip' }));
  // A child (ulimit -n 256) fills its descriptor table; a helper thread started before that
  // frees two descriptors 300 ms later, as clients' sockets closing do, while this thread is
  // blocked in the inspection (as the CAB worker is): one for the CAB, one for the file
  // extracted from it.
  const script = `
    import fs from 'node:fs';
    import { Worker } from 'node:worker_threads';
    const { inspectCabFile } = await import(${dist('cab-inspect.js')});
    const helper = new Worker("import fs from 'node:fs'; import { parentPort } from 'node:worker_threads'; parentPort.once('message', (fds) => setTimeout(() => fds.forEach((fd) => fs.closeSync(fd)), 300)); parentPort.postMessage('ready');", { eval: true, trackUnmanagedFds: false });
    await new Promise((r) => helper.once('message', r));
    const hog = [];
    try { for (;;) hog.push(fs.openSync(process.execPath, 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
    helper.postMessage(hog.splice(0, 2));
    const started = Date.now();
    let result;
    try {
      const r = inspectCabFile(${JSON.stringify(cab)}, { extractDir: ${JSON.stringify(path.join(dir, 'cab'))} });
      result = { entries: r.view.entries.map((e) => e.kind), written: r.extracted.written.length, errors: r.extracted.errors.map((e) => e.code) };
    } catch (e) {
      result = { error: e.code };
    }
    const waitedMs = Date.now() - started;
    for (const fd of hog) fs.closeSync(fd);
    await helper.terminate();
    console.log(JSON.stringify({ ...result, waited: waitedMs >= 250 }));
  `;
  const r = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ entries: ['text'], written: 1, errors: [], waited: true });
  expect(fs.readFileSync(path.join(dir, 'cab', 'Version.txt'), 'latin1')).toBe('Windows NT Version 10.0\r\n');
});
