// Decoding and the CAB worker under a full descriptor table (a burst of clients holds every
// descriptor until their reports are answered): code is loaded before the listener takes
// clients, and the worker's opens of a job's files wait until a descriptor is free — under
// `ulimit -n 128` with 300 clients, a lazy load failing with EMFILE left reports unanswered
// (iconv-lite's charset tables) or report folders without cab/ (the worker's own modules).
// Each test runs a child (ulimit -n 256) that fills its table; a helper thread started before
// that frees two descriptors 300 ms after the job begins, as clients' sockets closing do: one
// for the spooled CAB, one for the file extracted from it.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { tempDir } from '../../helpers/temp.js';

const dir = tempDir('wer-sniff-cab-fds-');
const bash = process.platform !== 'win32' && spawnSync('bash', ['-c', 'true']).status === 0;
const dist = (file: string): string => JSON.stringify(new URL(`../../../dist/pipeline/workers/${file}`, import.meta.url).href);
const VERSION = 'Windows NT Version 10.0\r\n';
const CAB_SUMMARY = '{ entries: r.view.entries.map((e) => e.kind), written: r.extracted.written.length, errors: r.extracted.errors.map((e) => e.code) }';

/** Runs `job` (an expression awaited in the child, with `cab` and `extractDir` in scope, after
 * `setup`) with the descriptor table full; `summary` (an expression of its result `r`) is
 * what is printed, or the error's code. */
function underFullTable(name: string, setup: string, job: string, summary = CAB_SUMMARY): { result: unknown; waited: boolean; extracted?: string } {
  const cab = path.join(dir, `${name}.cab`);
  const extractDir = path.join(dir, name);
  fs.writeFileSync(cab, writeCab([{ name: 'Version.txt', data: Buffer.from(VERSION, 'latin1') }], { compression: 'mszip' }));
  const script = `
    import fs from 'node:fs';
    import { Worker } from 'node:worker_threads';
    const cab = ${JSON.stringify(cab)}, extractDir = ${JSON.stringify(extractDir)};
    const helper = new Worker("import fs from 'node:fs'; import { parentPort } from 'node:worker_threads'; parentPort.once('message', (fds) => setTimeout(() => fds.forEach((fd) => fs.closeSync(fd)), 300)); parentPort.postMessage('ready');", { eval: true, trackUnmanagedFds: false });
    await new Promise((r) => helper.once('message', r));
    ${setup}
    const hog = [];
    try { for (;;) hog.push(fs.openSync(process.execPath, 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
    helper.postMessage(hog.splice(0, 2));
    const started = Date.now();
    // Keeps this process up while a job waits for a fresh thread (retries are on unref'd timers).
    const alive = setInterval(() => {}, 1000);
    let result;
    try {
      const r = await (${job});
      result = ${summary};
    } catch (e) {
      result = { error: e.code ?? e.message };
    }
    const waited = Date.now() - started >= 250;
    clearInterval(alive);
    for (const fd of hog) fs.closeSync(fd);
    await helper.terminate();
    console.log(JSON.stringify({ result, waited }));
    process.exit(0);
  `;
  // A file, not --input-type=module -e: threads inherit that flag and cannot start with it.
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, script);
  const r = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" "$1"', process.execPath, file], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { result: unknown; waited: boolean };
  const extracted = path.join(extractDir, 'Version.txt');
  return { ...out, ...(fs.existsSync(extracted) ? { extracted: fs.readFileSync(extracted, 'latin1') } : {}) };
}

const WHOLE = { result: { entries: ['text'], written: 1, errors: [] }, waited: true, extracted: VERSION };

test.runIf(bash)('the open of a spooled CAB waits until a descriptor is free, and the CAB is extracted whole', () => {
  // On this thread, as the worker runs it (blocking).
  expect(underFullTable('direct', `const { inspectCabFile } = await import(${dist('cab-inspect.js')});`, 'inspectCabFile(cab, { extractDir })')).toEqual(WHOLE);
});

test.runIf(bash)('a warmed CAB worker has loaded its code: a job sent with the table full is summarised and extracted', () => {
  // warm() settles only once the thread has loaded its modules: loading them with the table
  // full failed (EMFILE, "Cannot find package"), and so did every restart.
  const setup = `const { CabWorker } = await import(${dist('cab-offload.js')}); const worker = new CabWorker(); await worker.warm();`;
  expect(underFullTable('worker', setup, 'worker.inspect({ file: cab }, extractDir)')).toEqual(WHOLE);
});

test.runIf(bash)('after loadCharsets(), a UTF-16 report decodes with no descriptor free', () => {
  // What the listener and the CAB worker do before their first job: iconv-lite reads its
  // tables on first use, and that first use was a report decoded in the middle of the burst.
  const charset = JSON.stringify(new URL('../../../dist/domain/body/charset.js', import.meta.url).href);
  // Beyond Latin-1 (the machine name), so it takes iconv-lite's decoder, not the narrow path.
  const xml = '<?xml version="1.0" encoding="UTF-16"?><WERREPORT><MACHINEINFO machinename="ΩMEGA-PC"/></WERREPORT>';
  const report = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
  const setup = `const { decodeText, loadCharsets } = await import(${charset}); loadCharsets();`;
  const job = `decodeText(Buffer.from(${JSON.stringify(report.toString('base64'))}, 'base64'), 'text/xml; charset=UTF-16')`;
  const out = underFullTable('charset', setup, job, '{ charset: r.charset, text: r.text }');
  expect(out.result).toEqual({ charset: 'utf-16le', text: xml });
});
