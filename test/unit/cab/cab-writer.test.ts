import { describe, expect, it } from 'vitest';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { encodeDosDateTime, writeCab } from '../../../src/domain/cab/cab-writer.js';

describe('writeCab', () => {
  it('writes one folder, checksums filled, and reads back', () => {
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    for (const compression of ['none', 'mszip'] as const) {
      const buf = writeCab([{ name: 'x.bin', data }, { name: 'y.txt', data: Buffer.from('y'), attribs: 0x01 }], { compression, setID: 42 });
      const cab = parseCab(buf);
      expect(cab.problems).toEqual([]);
      expect(cab.header).toMatchObject({ cbCabinet: buf.length, setID: 42, cFolders: 1, cFiles: 2, flags: 0 });
      expect(cab.folders[0]).toMatchObject({ cCFData: 4, typeCompress: compression === 'mszip' ? 1 : 0 });
      expect(cab.files.map((f) => [f.attribs, f.date])).toEqual([[0x20, '1980-01-01 00:00:00'], [0x01, '1980-01-01 00:00:00']]);
      // Every CFDATA block carries a non-zero checksum.
      let pos = cab.folders[0]!.coffCabStart;
      for (let i = 0; i < 4; i++) {
        expect(buf.readUInt32LE(pos)).not.toBe(0);
        pos += 8 + buf.readUInt16LE(pos + 4);
      }
      const out = extractCab(buf, cab);
      expect(out[0]!.data!.equals(data)).toBe(true);
      expect(out[1]!.data).toEqual(Buffer.from('y'));
    }
  });

  it('MSZIP shrinks repetitive data and every block starts with CK', () => {
    const buf = writeCab([{ name: 'r', data: Buffer.alloc(200_000, 'abc') }], { compression: 'mszip' });
    expect(buf.length).toBeLessThan(3000);
    const start = buf.readUInt32LE(36);
    expect(buf.subarray(start + 8, start + 10).toString()).toBe('CK');
  });

  it('sets the UTF-8 flag only for non-ASCII names', () => {
    const cab = parseCab(writeCab([{ name: 'plain.txt', data: Buffer.from('a') }, { name: 'ça.txt', data: Buffer.from('b') }], { compression: 'none' }));
    expect(cab.files.map((f) => [f.name, f.utf8])).toEqual([['plain.txt', false], ['ça.txt', true]]);
  });

  it('rejects what a cabinet cannot hold', () => {
    expect(() => writeCab([], { compression: 'none' })).toThrow(RangeError);
    expect(() => writeCab([{ name: '', data: Buffer.alloc(1) }], { compression: 'none' })).toThrow(/name/);
    expect(() => writeCab([{ name: 'x'.repeat(257), data: Buffer.alloc(1) }], { compression: 'none' })).toThrow(/name/);
  });

  it('encodes DOS date/time from the UTC wall clock, clamped to 1980..2107', () => {
    expect(encodeDosDateTime(new Date(Date.UTC(2024, 4, 14, 9, 26, 55)))).toEqual({ date: 0x58ae, time: 0x4b5b });
    expect(encodeDosDateTime(new Date(Date.UTC(1970, 0, 1)))).toEqual({ date: 0x21, time: 0 });
    expect(encodeDosDateTime(new Date(Date.UTC(2200, 0, 1))).date >> 9).toBe(127);
  });
});
