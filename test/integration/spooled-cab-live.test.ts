// A level-2 upload spooled live (the compiled listener, its CAB worker thread): a CAB larger
// than what is kept in memory is summarised from its spool file, in --json and --save-dir
// alike (one inflation), its dump summary has the stack, the body line names it spooled (no
// base64), and the spool file is gone afterwards; a CAB over --max-body-bytes is summarised
// too (it used to be listed as "too large to decode in memory", nothing more).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { VECTORS } from '../helpers/paths.js';
import { events } from '../helpers/run-async.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';
import { writeMinidump } from '../../src/domain/minidump/minidump-writer.js';
import { X64_CRASH } from '../unit/minidump/stack-fixture.js';

const MiB = 1024 * 1024;
const start = cliStarter();
const level1 = fs.readFileSync(path.join(VECTORS, 'level1-hang.http'));

/** The x64 crash with `mib` MiB of half-noise heap captured before its stack. */
function dump(mib: number): Buffer {
  const heap = Buffer.alloc(mib * MiB);
  for (let i = 0, x = 7; i < heap.length; i += 4) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (i & 0x1000) heap.writeUInt32LE(x, i);
  }
  return writeMinidump({ ...X64_CRASH, memory: [{ start: 0x20000000n, data: heap }] });
}

async function report(port: number, cab: Buffer): Promise<string> {
  const answer = await sendAndCollect(port, [level1]);
  const at = /DumpFile=(.*)\r\n/.exec(answer.toString('latin1'))![1]!;
  const put = Buffer.concat([Buffer.from(`PUT ${at} HTTP/1.1\r\nHost: x\r\nContent-Length: ${cab.length}\r\nConnection: close\r\n\r\n`), cab]);
  return (await sendAndCollect(port, [put])).toString('latin1');
}

describe('spooled level-2 uploads, live', () => {
  for (const extra of [[], ['--max-body-bytes', '64k']]) {
    it(`a 24 MiB dump in a CAB${extra.length ? ' over --max-body-bytes' : ''}: summarised from the spool, with --save-dir, spool removed`, async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-spool-tmp-'));
      const save = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-spool-save-'));
      const md = dump(24);
      const cab = writeCab([{ name: 'WER7.tmp.mdmp', data: md }], { compression: 'mszip' });
      const har = path.join(save, '..', `${path.basename(save)}.har`);
      const h = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--save-dir', save, '--har', har, ...extra], { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp });
      try {
        expect(await report(h.port, cab)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      } finally {
        h.child.kill('SIGINT');
        await h.exited;
      }
      const put = events(h.stdout().toString()).find((e) => e.type === 'request' && e.method === 'PUT')!;
      const body = put.body as Record<string, unknown> & { cab: { files: { name: string; kind: string; minidump: { partial?: unknown; stack?: { frames: unknown[] } } }[] } };
      expect(body.length).toBe(cab.length);
      expect(body.base64).toBeUndefined();
      expect(body.omitted).toBe(true);
      expect(String(body.notes)).toMatch(/spooled to disk/);
      const entry = body.cab.files[0]!;
      expect(entry.kind).toBe('minidump');
      expect(entry.minidump.partial).toBeUndefined();
      expect(entry.minidump.stack!.frames.length).toBeGreaterThan(1);
      const [folder] = fs.readdirSync(save);
      expect(fs.readFileSync(path.join(save, folder!, 'cab', 'WER7.tmp.mdmp')).equals(md)).toBe(true);
      expect(fs.readFileSync(path.join(save, folder!, 'report.cab')).equals(cab)).toBe(true);
      // The body left out names where --save-dir saved it, in --json and in the HAR.
      expect(body.savedAs).toBe(path.join(save, folder!, 'report.cab'));
      const entries = JSON.parse(fs.readFileSync(har, 'utf8')).log.entries as { request: { method: string; postData?: Record<string, unknown> } }[];
      const harPut = entries.find((e) => e.request.method === 'PUT')!;
      expect(harPut.request.postData!._omitted).toBe(true);
      expect(harPut.request.postData!._savedAs).toBe(path.join(save, folder!, 'report.cab'));
      fs.rmSync(har, { force: true });
      expect(fs.existsSync(path.join(save, folder!, 'minidump.json'))).toBe(true);
      expect(fs.readdirSync(tmp)).toEqual([]);
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(save, { recursive: true, force: true });
    });
  }
});
