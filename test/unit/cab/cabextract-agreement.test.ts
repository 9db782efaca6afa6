// Cross-checks our reader and writer against cabextract (libmspack): same listing (names, sizes,
// dates), same extracted bytes, and `cabextract -t` agrees on what is damaged.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { writeCab, type CabInputFile } from '../../../src/domain/cab/cab-writer.js';
import { buildRawCab } from './raw-cab.js';
import { cabextractFiles, cabextractKey, cabextractList, cabextractTest, HAS_CABEXTRACT, NO_CABEXTRACT } from './cabextract.js';
import { readVector } from '../../helpers/paths.js';


/** Deterministic bytes: runs of xorshift noise alternating with repeated text. */
export function mixedData(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  const text = Buffer.from('widget-thread|render.dll+0x1a2f4|');
  for (let i = 0; i < n; i++) {
    if ((i >> 12) % 3 === 0) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      b[i] = x & 0xff;
    } else b[i] = text[i % text.length]!;
  }
  return b;
}

const sha = (b?: Buffer): string => (b ? createHash('sha256').update(b).digest('hex') : 'missing');

function agree(buf: Buffer): void {
  const cab = parseCab(buf);
  const ours = extractCab(buf, cab);
  expect(ours.filter((f) => f.error)).toEqual([]);
  expect(cabextractList(buf)).toEqual(cab.files.map((f) => ({ size: f.size, date: f.date, name: cabextractKey(f.name, f.utf8) })));
  const theirs = cabextractFiles(buf);
  expect(theirs.size).toBe(cab.files.length);
  // Compared by hash: deep-equal on 100 KiB Buffers is slow.
  cab.files.forEach((f, i) => expect(sha(theirs.get(cabextractKey(f.name, f.utf8))), f.name).toBe(sha(ours[i]!.data)));
  const t = cabextractTest(buf);
  expect(t.ok, t.out).toBe(true);
}

const when = new Date(Date.UTC(2024, 2, 13, 17, 45, 31));
const files: CabInputFile[] = [
  { name: 'WER1234.tmp.mdmp', data: mixedData(150_000), date: when },
  { name: 'empty.txt', data: Buffer.alloc(0), date: when },
  { name: 'Report.wer', data: Buffer.from('\ufeffVersion=1\r\nEventType=APPCRASH\r\n', 'utf16le') },
  { name: 'sub\\dir\\Ünïcødé 日本.txt', data: Buffer.from('utf-8 name'), date: new Date(Date.UTC(2107, 11, 31, 23, 59, 58)) },
  ...Array.from({ length: 120 }, (_, i) => ({ name: `many\\f${String(i).padStart(3, '0')}.bin`, data: mixedData(i * 37, i + 1), date: when })),
];

describe(`cabextract agrees${NO_CABEXTRACT}`, () => {
  for (const name of ['sample-report.cab', 'sample-report-mszip.cab']) {
    it.skipIf(!HAS_CABEXTRACT)(`on the vector ${name}`, () => agree(readVector(name)));
  }

  for (const compression of ['none', 'mszip'] as const) {
    it.skipIf(!HAS_CABEXTRACT)(`on writeCab ${compression}: >100 KiB mixed data, empty file, UTF-8 name, 124 files`, () => {
      const buf = writeCab(files, { compression });
      agree(buf);
      const cab = parseCab(buf);
      expect(cab.files[3]).toMatchObject({ utf8: true, attribs: 0xa0, date: '2107-12-31 23:59:58' });
      expect(cab.files[0]!.date).toBe('2024-03-13 17:45:30');
    });

    it.skipIf(!HAS_CABEXTRACT)(`on writeCab ${compression} with only empty files`, () => {
      agree(writeCab([{ name: 'a', data: Buffer.alloc(0) }, { name: 'b', data: Buffer.alloc(0) }], { compression }));
    });
  }

  it.skipIf(!HAS_CABEXTRACT)('on a latin1 (non-UTF-8) name', () => {
    agree(buildRawCab({
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('hello') }] }],
      files: [{ name: Buffer.from('caf\xe9.txt', 'latin1'), size: 5, uoff: 0, iFolder: 0 }],
    }));
  });

  it.skipIf(!HAS_CABEXTRACT)('on reserve areas in header, folders and CFDATA', () => {
    agree(buildRawCab({
      setID: 7,
      reserve: { header: Buffer.from('0123456789'), folder: 3, data: 5 },
      folders: [
        { typeCompress: 0, blocks: [{ payload: Buffer.from('hello ') }, { payload: Buffer.from('world') }] },
        { typeCompress: 0, blocks: [{ payload: Buffer.from('second folder') }] },
      ],
      files: [
        { name: 'hw.txt', size: 11, uoff: 0, iFolder: 0 },
        { name: 'two.txt', size: 6, uoff: 7, iFolder: 1 },
      ],
    }));
  });

  it.skipIf(!HAS_CABEXTRACT)('that a flipped checksum bit is an error (cabextract -t fails too)', () => {
    const buf = writeCab(files.slice(0, 3), { compression: 'mszip' });
    const second = buf.readUInt32LE(36) + 8 + buf.readUInt16LE(buf.readUInt32LE(36) + 4);
    buf[second]! ^= 0x10;
    expect(cabextractTest(buf).ok).toBe(false);
    expect(cabextractTest(buf).out).toMatch(/checksum/i);
    const out = extractCab(buf);
    expect(out[0]!.error).toEqual({ code: 'checksum', message: 'CFDATA block 2 of folder 0 failed its checksum' });
  });

  it.skipIf(!HAS_CABEXTRACT)('that a truncated cabinet is an error (cabextract -t fails too)', () => {
    const buf = writeCab(files.slice(0, 3), { compression: 'none' });
    const cut = buf.subarray(0, buf.length - 1000);
    expect(cabextractTest(cut).ok).toBe(false);
    expect(extractCab(cut).map((f) => f.error?.code)).toEqual(['truncated', undefined, 'truncated']);
  });
});
