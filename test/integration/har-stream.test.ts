// `--har` streamed and large bodies referenced, live: `listen` on 127.0.0.1 takes PUTs of a few
// MiB. Each entry is in the HAR file while the listener still runs (it used to keep every
// exchange, bodies included, until the end: ~2 GB for 40 × 20 MiB, then an empty file); bodies
// over 1 MiB are named by `_size`/`_sha256`/`_omitted` in the HAR and by length/sha256 in
// --json, and --include-bodies brings the exact bytes back in both. A HAR without the bytes
// makes `replay` say why it does not send that request. The document stays valid HAR 1.2.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cliStarter, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { sendAndCollect } from '../helpers/net.js';
import { harSchemaErrors } from '../helpers/har-schema.js';
import { harProblems } from '../helpers/har-check.js';
import { tempDir } from '../helpers/temp.js';
import { ndjson } from '../helpers/ndjson.js';

const startCli = cliStarter();

type Json = Record<string, any>;
const MiB = 1024 * 1024;
const tmp = tempDir('wer-sniff-har-stream-');
const file = (name: string) => path.join(tmp, name);
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** `size` bytes that are binary (a NUL first: not text) and differ per `seed`. */
function binary(size: number, seed: number): Buffer {
  const block = crypto.createHash('sha512').update(`seed ${seed}`).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += block.length) block.copy(out, i);
  out[0] = 0;
  return out;
}

function put(name: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`PUT /up/${name}.cab HTTP/1.1\r\nHost: cer.example.test\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
}

async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let runs = 0;
async function run(extra: string[]): Promise<{ r: RunningCli; har: string; raw: string }> {
  const har = file(`run-${++runs}.har`);
  const raw = har.replace(/\.har$/, '.bin');
  const r = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--respond', 'ok', '--json', '--har', har, '-o', raw, ...extra]);
  return { r, har, raw };
}

async function stop(r: RunningCli): Promise<Json[]> {
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
  return ndjson(r.stdout());
}

function valid(doc: Json): void {
  expect(harSchemaErrors(doc)).toEqual([]);
  expect(harProblems(doc)).toEqual([]);
}

describe('--har streams entries; large bodies are referenced', () => {
  it('each entry is in the file while listen runs; 3 MiB bodies by size and sha256 in the HAR and --json', async () => {
    const { r, har } = await run([]);
    const bodies = [binary(3 * MiB, 1), binary(3 * MiB + 7, 2)];
    for (const [i, b] of bodies.entries()) {
      await sendAndCollect(r.port, [put(`c${i}`, b)]);
      // Written as the exchange finished, not at the end of the run.
      await waitFor(`entry ${i + 1} in the HAR`, () => fs.existsSync(har) && fs.readFileSync(har, 'utf8').includes(sha256(b)));
    }
    const small = Buffer.from('small text body');
    await sendAndCollect(r.port, [put('small', small)]);
    const events = await stop(r);

    // Two bodies of 3 MiB: the HAR holds their names, not their bytes.
    expect(fs.statSync(har).size).toBeLessThan(64 * 1024);
    const doc = JSON.parse(fs.readFileSync(har, 'utf8'));
    valid(doc);
    const entries = doc.log.entries as Json[];
    expect(entries).toHaveLength(3);
    for (const [i, b] of bodies.entries()) {
      const pd = entries[i]!.request.postData;
      expect(pd).toMatchObject({ text: '', _size: b.length, _sha256: sha256(b), _omitted: true, _kind: 'binary' });
      expect(pd._encoding).toBeUndefined();
      expect(pd.comment).toMatch(/over 1\.00 MiB.*--include-bodies/);
      expect(entries[i]!.request.bodySize).toBe(b.length);
      expect(entries[i]!.response.status).toBe(200);
    }
    expect(entries[2]!.request.postData).toMatchObject({ text: 'small text body' });

    const requests = events.filter((e) => e.type === 'request');
    expect(requests).toHaveLength(3);
    for (const [i, b] of bodies.entries()) {
      expect(requests[i].body).toMatchObject({ length: b.length, sha256: sha256(b), kind: 'binary', omitted: true });
      expect(requests[i].body.base64).toBeUndefined();
      expect(requests[i].body.notes.join(' ')).toMatch(/base64 left out.*--include-bodies/);
    }

    // replay: the two large PUTs are not sent, and it says why; the small one is.
    const target = await run([]);
    const out = await runCliAsync(['replay', har, '--to', `127.0.0.1:${target.r.port}`]);
    expect(out.stderr).toMatch(/entry 1: its body \(3145728 bytes, sha256 [0-9a-f]{16}…\) is not in the HAR: .*--include-bodies/);
    expect(out.stderr).toMatch(/entry 2: its body \(\d+ bytes, sha256 [0-9a-f]{16}…\) is not in the HAR/);
    expect(out.stderr.match(/the request at byte 0 is incomplete \(\d+ bytes\); not sent/g)).toHaveLength(2);
    expect(out.stderr).toMatch(/replayed: 1 sent, 1 answered/);
    await stop(target.r);
    expect(fs.readFileSync(target.raw).equals(put('small', small))).toBe(true);
  });

  it('--include-bodies: the exact bytes in the HAR (base64) and --json, and replay sends them again', async () => {
    const { r, har, raw } = await run(['--include-bodies']);
    const body = binary(2 * MiB + 3, 3);
    await sendAndCollect(r.port, [put('big', body)]);
    const events = await stop(r);
    const doc = JSON.parse(fs.readFileSync(har, 'utf8'));
    valid(doc);
    const pd = doc.log.entries[0].request.postData;
    expect(pd._omitted).toBeUndefined();
    expect(pd._encoding).toBe('base64');
    expect(Buffer.from(pd.text, 'base64').equals(body)).toBe(true);
    const req = events.find((e) => e.type === 'request');
    expect(Buffer.from(req.body.base64, 'base64').equals(body)).toBe(true);

    const target = await run([]);
    const out = await runCliAsync(['replay', har, '--to', `127.0.0.1:${target.r.port}`]);
    expect(out.stderr).toMatch(/replayed: 1 sent, 1 answered/);
    await stop(target.r);
    expect(fs.readFileSync(target.raw).equals(fs.readFileSync(raw))).toBe(true);
  });
});
