// A minidump summarised through PagedBytes (ranged reads, a few pages held) gives the summary
// of the dump held whole, reading only the ranges its directory points at; and a CAB spooled
// to a file is summarised from it (cab-inspect.ts), a big dump via its extracted copy on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { parseMinidump, PagedBytes } from '../../../src/domain/minidump/minidump.js';
import { PAGE_BYTES, PAGE_CACHE } from '../../../src/domain/minidump/dump-bytes.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { inspectCab, inspectCabFile } from '../../../src/pipeline/workers/cab-inspect.js';
import { X64_CRASH, X86_CRASH } from './stack-fixture.js';

const MiB = 1024 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-paged-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The x64 crash with `mib` MiB of captured heap written before the stack: every other 4 KiB
 * page noise (a real dump's ratio; all zeroes would hit the extraction's expansion budget). */
function bigDump(mib: number, memory64 = false): Buffer {
  const heap = Buffer.alloc(mib * MiB);
  for (let i = 0, x = 1; i < heap.length; i += 4) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (i & 0x1000) heap.writeUInt32LE(x, i);
  }
  return writeMinidump({ ...X64_CRASH, memory: [{ start: 0x20000000n, data: heap }], memory64 });
}

function paged(buf: Buffer): PagedBytes {
  return new PagedBytes(buf.length, (pos, len) => Buffer.from(buf.subarray(pos, pos + len)));
}

describe('PagedBytes', () => {
  for (const [name, opts] of [['x64', X64_CRASH], ['x86', X86_CRASH]] as const) {
    it(`${name}: the same summary as the dump in memory`, () => {
      const buf = writeMinidump(opts);
      expect(parseMinidump(paged(buf))).toEqual(parseMinidump(buf));
    });
  }

  for (const memory64 of [false, true]) {
    it(`a 40 MiB dump (${memory64 ? 'Memory64List' : 'MemoryList'}): same summary, a few pages read`, () => {
      const buf = bigDump(40, memory64);
      const p = paged(buf);
      const whole = parseMinidump(buf);
      expect(whole.stack?.frames.length).toBeGreaterThan(1);
      expect(parseMinidump(p)).toEqual(whole);
      expect(p.bytesRead).toBeLessThan(PAGE_CACHE * PAGE_BYTES);
    });
  }

  it('reads across page edges, and outside the dump throws as a Buffer does', () => {
    const buf = Buffer.alloc(3 * PAGE_BYTES + 10);
    for (let i = 0; i < buf.length; i++) buf[i] = i * 13;
    const p = paged(buf);
    for (const at of [0, PAGE_BYTES - 1, PAGE_BYTES - 3, 2 * PAGE_BYTES - 7, buf.length - 8]) {
      expect(p.readBigUInt64LE(at)).toBe(buf.readBigUInt64LE(at));
      expect(p.readUInt32LE(at)).toBe(buf.readUInt32LE(at));
      expect(p.subarray(at, at + 8).equals(buf.subarray(at, at + 8))).toBe(true);
    }
    expect(p.toString('latin1', PAGE_BYTES - 5, PAGE_BYTES + 5)).toBe(buf.toString('latin1', PAGE_BYTES - 5, PAGE_BYTES + 5));
    expect(() => p.readUInt32LE(buf.length - 2)).toThrow(RangeError);
    expect(() => p.readUInt8(-1)).toThrow(RangeError);
  });
});

describe('inspecting a spooled CAB', () => {
  it('a 40 MiB dump in a file: summarised whole (not partial), its temporary copy removed', () => {
    const dump = bigDump(40);
    const cab = writeCab([{ name: 'WER1.tmp.mdmp', data: dump }, { name: 'Report.wer', data: Buffer.from('\ufeffVersion=1\r\nEventType=APPCRASH\r\n', 'utf16le') }], { compression: 'mszip' });
    const file = path.join(dir, 'upload.cab');
    fs.writeFileSync(file, cab);
    const spoolDir = fs.mkdtempSync(path.join(dir, 'spool-'));
    const r = inspectCabFile(file, { spoolDir });
    const md = r.view.entries[0]!.minidump!;
    expect(md.partial).toBeUndefined();
    expect(md).toEqual(parseMinidump(dump));
    expect(md.stack?.frames.length).toBeGreaterThan(1);
    expect(r.view.entries[1]!.kind).toBe('text');
    expect(fs.readdirSync(spoolDir)).toEqual([]);
    // The same view as the cabinet inspected in memory (which holds the dump's beginning).
    const inMemory = inspectCab(cab);
    expect(r.view.cab).toEqual(inMemory.view.cab);
  });

  it('with --save-dir: extracted files equal the originals, the dump summarised from cab/', () => {
    // Small: our LZX compressor is slow, and the path under test is the same at any size.
    const dump = bigDump(2);
    const cab = writeCab([{ name: 'WER1.tmp.mdmp', data: dump }], { compression: 'lzx' });
    const file = path.join(dir, 'upload2.cab');
    fs.writeFileSync(file, cab);
    const out = path.join(dir, 'cab-out');
    const r = inspectCabFile(file, { extractDir: out });
    expect(r.extracted?.errors).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'WER1.tmp.mdmp')).equals(dump)).toBe(true);
    expect(r.view.entries[0]!.minidump).toEqual(parseMinidump(dump));
  });
});
