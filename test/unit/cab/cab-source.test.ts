// Extraction from a spooled file (a CabSource read block by block) gives the same listing and
// the same bytes as extraction from the cabinet in memory, for every compression, damaged
// cabinets included; the directory alone lists the cabinet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab, extractCabStream } from '../../../src/domain/cab/cab-extract.js';
import { cabDirectoryLength, parseCabSource, type CabSource } from '../../../src/domain/cab/cab-source.js';
import { fileSource } from '../../../src/pipeline/workers/file-read.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-cab-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A source over `buf` that counts what it was asked for. */
function counting(buf: Buffer): CabSource & { asked: number; largest: number } {
  const s = {
    length: buf.length, asked: 0, largest: 0,
    read(pos: number, len: number) {
      const out = Buffer.from(buf.subarray(pos, Math.min(buf.length, pos + len)));
      s.asked += out.length;
      s.largest = Math.max(s.largest, out.length);
      return out;
    },
  };
  return s;
}

function files(n: number): { name: string; data: Buffer }[] {
  return Array.from({ length: n }, (_, i) => {
    const data = Buffer.alloc(50_000 + i * 7919);
    for (let j = 0; j < data.length; j++) data[j] = (j * (i + 3)) % 251 ^ (j >> 9);
    return { name: `dir\\file-${i}.bin`, data };
  });
}

function events(from: Buffer | CabSource, buf: Buffer): string[] {
  const out: string[] = [];
  for (const ev of extractCabStream(from, parseCab(buf))) out.push(ev.type === 'data' ? `${ev.file}:${ev.data.toString('hex')}` : `${ev.file}:end:${ev.error?.code ?? ''}`);
  return out;
}

describe('extraction from a CabSource', () => {
  for (const compression of ['none', 'mszip', 'lzx'] as const) {
    it(`${compression}: same events from the file as from memory, reading each block once`, () => {
      const cab = writeCab(files(4), { compression });
      const src = counting(cab);
      expect(events(src, cab)).toEqual(events(cab, cab));
      // The blocks are read once each (and their 2-byte sizes), never the cabinet whole.
      expect(src.asked).toBeLessThan(cab.length * 1.01);
      expect(src.largest).toBeLessThanOrEqual(65_535 + 8);
      const file = path.join(dir, `${compression}.cab`);
      fs.writeFileSync(file, cab);
      const fd = fs.openSync(file, 'r');
      try {
        const fromFile = extractCab(cab, parseCabSource(fileSource(fd)));
        expect(fromFile.map((f) => f.data?.equals(files(4)[Number(/\d+/.exec(f.name)![0])]!.data))).toEqual([true, true, true, true]);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  it('a truncated cabinet: the same problems and errors from the directory and the source', () => {
    const whole = writeCab(files(3), { compression: 'mszip' });
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const src = counting(cut);
    const listed = parseCabSource(src);
    expect(listed).toEqual(parseCab(cut));
    expect(listed.problems.map((p) => p.code)).toContain('size-mismatch');
    expect(events(src, cut)).toEqual(events(cut, cut));
  });

  it('the directory prefix is small for a big cabinet and never beyond what was received', () => {
    const cab = writeCab(files(6), { compression: 'none' });
    const n = cabDirectoryLength(cab.subarray(0, 36), cab.length);
    expect(n).toBeLessThan(cab.length);
    expect(parseCab(cab.subarray(0, n), cab.length)).toEqual(parseCab(cab));
    expect(cabDirectoryLength(cab.subarray(0, 36), 40)).toBe(40);
    expect(cabDirectoryLength(Buffer.from('MSCF'), 4)).toBe(4);
  });
});
