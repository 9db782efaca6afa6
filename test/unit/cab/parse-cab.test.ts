import { describe, expect, it } from 'vitest';
import { parseCab, cabChecksum, decodeDosDateTime, decodeTypeCompress } from '../../../src/domain/cab/cab.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { buildRawCab } from './raw-cab.js';
import { readVector } from '../../helpers/paths.js';

const plain = readVector('sample-report.cab');
const mszip = readVector('sample-report-mszip.cab');

describe('parseCab on the protocol vectors', () => {
  it('reads every CFHEADER field of sample-report.cab', () => {
    const cab = parseCab(plain);
    expect(cab.problems).toEqual([]);
    expect(cab.header).toMatchObject({
      reserved1: 0, cbCabinet: plain.length, reserved2: 0, coffFiles: 44, reserved3: 0,
      versionMinor: 3, versionMajor: 1, cFolders: 1, cFiles: 2, flags: 0, flagNames: [],
      setID: 0x5eed, iCabinet: 0, cbCFHeader: 0, cbCFFolder: 0, cbCFData: 0,
    });
    expect(cab.header?.prevCabinet).toBeUndefined();
    expect(cab.folders).toMatchObject([{ index: 0, coffCabStart: 136, cCFData: 1, typeCompress: 0, compression: { method: 'none' } }]);
    expect(cab.files.map((f) => [f.name, f.size, f.uoffFolderStart, f.iFolder, f.folder, f.date, f.attributes, f.utf8])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 850, 0, 0, 0, '2024-05-14 09:26:54', ['archive'], false],
      ['WER51C0.tmp.Version.txt', 380, 850, 0, 0, '2024-05-14 09:26:54', ['archive'], false],
    ]);
  });

  it('lists the MSZIP vector: three files in one 3-block MSZIP folder', () => {
    const cab = parseCab(mszip);
    expect(cab.problems).toEqual([]);
    expect(cab.folders).toMatchObject([{ cCFData: 3, typeCompress: 1, compression: { method: 'mszip' } }]);
    expect(cab.files.map((f) => [f.name, f.size, f.uoffFolderStart, f.date])).toEqual([
      ['WER4F2A.tmp.WERInternalMetadata.xml', 850, 0, '2024-05-14 09:26:54'],
      ['WER51C0.tmp.Version.txt', 380, 850, '2024-05-14 09:26:54'],
      ['WER5A11.tmp.mdmp', 96008, 1230, '2024-05-14 09:26:54'],
    ]);
  });
});

describe('CAB field decoders', () => {
  it('decodes typeCompress (MS-CAB §2.2)', () => {
    expect(decodeTypeCompress(0)).toEqual({ method: 'none' });
    expect(decodeTypeCompress(1)).toEqual({ method: 'mszip' });
    expect(decodeTypeCompress(0x1503)).toEqual({ method: 'lzx', lzxWindowBits: 21 });
    expect(decodeTypeCompress(0x0f03)).toEqual({ method: 'lzx', lzxWindowBits: 15 });
    expect(decodeTypeCompress(0x0a72)).toEqual({ method: 'quantum', quantumLevel: 7, quantumMemory: 10 });
    expect(decodeTypeCompress(0x000f)).toEqual({ method: 'unknown' });
  });

  it('decodes DOS date/time without a zone', () => {
    expect(decodeDosDateTime(0x58ae, 0x4b5b)).toBe('2024-05-14 09:26:54');
    expect(decodeDosDateTime(0x0021, 0)).toBe('1980-01-01 00:00:00');
  });

  it('computes the CFDATA checksum with the packed 1–3 byte tail', () => {
    expect(cabChecksum(Buffer.from([1, 2, 3, 4]))).toBe(0x04030201);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5, 6, 7]))).toBe((0x04030201 ^ 0x050607) >>> 0);
    expect(cabChecksum(Buffer.from([9, 8]))).toBe(0x0908);
    expect(cabChecksum(Buffer.from([9]), 0xffffffff)).toBe(0xfffffff6);
  });
});

describe('parseCab on damaged or unusual input', () => {
  it('bad signature: not-a-cab and nothing else', () => {
    for (const buf of [Buffer.from('MSCX' + 'x'.repeat(40)), Buffer.alloc(0), Buffer.from('MS'), Buffer.from('PK\x03\x04')]) {
      const cab = parseCab(buf);
      expect(cab.problems.map((p) => p.code)).toEqual(['not-a-cab']);
      expect(cab.header).toBeUndefined();
      expect(cab.files).toEqual([]);
      expect(cab.folders).toEqual([]);
    }
  });

  it('truncated at every offset: never throws, always reports, lists a prefix', () => {
    const full = parseCab(plain);
    for (let cut = 0; cut < plain.length; cut++) {
      const cab = parseCab(plain.subarray(0, cut));
      expect(cab.problems.length, `cut at ${cut}`).toBeGreaterThan(0);
      if (cut >= 36) expect(cab.problems.map((p) => p.code)).toContain('size-mismatch');
      cab.files.forEach((f, i) => expect(f.name).toBe(full.files[i]!.name));
    }
  });

  it('trailing bytes are a size-mismatch, not a failure', () => {
    const cab = parseCab(Buffer.concat([plain, Buffer.alloc(10)]));
    expect(cab.problems).toMatchObject([{ code: 'size-mismatch', message: expect.stringContaining('10 extra bytes') }]);
    expect(cab.files).toHaveLength(2);
  });

  it('a header claiming more files than present stops at the file data', () => {
    const buf = Buffer.from(plain);
    buf.writeUInt16LE(5, 28);
    const cab = parseCab(buf);
    expect(cab.files.map((f) => f.name)).toEqual(['WER4F2A.tmp.WERInternalMetadata.xml', 'WER51C0.tmp.Version.txt']);
    expect(cab.problems).toMatchObject([{ code: 'truncated', message: 'header lists 5 files but only 2 fit before the file data begins' }]);
  });

  it('offsets beyond the end are problems', () => {
    const buf = Buffer.from(plain);
    buf.writeUInt32LE(99999, 36); // CFFOLDER.coffCabStart
    buf.writeUInt32LE(88888, 16); // CFHEADER.coffFiles
    const cab = parseCab(buf);
    expect(cab.problems.map((p) => p.code)).toEqual(['offset-out-of-range', 'offset-out-of-range']);
    expect(cab.folders).toHaveLength(1);
  });

  it('reads reserve areas, set links and continued-file markers', () => {
    const buf = buildRawCab({
      setID: 0x1234, iCabinet: 1, prev: ['part1.cab', 'Disk 1'], next: ['part3.cab', 'Disk 3'],
      reserve: { header: Buffer.from('RSVD'), folder: 2, data: 3 },
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('0123456789') }] }],
      files: [
        { name: 'from-prev.bin', size: 4, uoff: 0, iFolder: 0xfffd },
        { name: 'middle.bin', size: 2, uoff: 4, iFolder: 0 },
        { name: 'to-next.bin', size: 9, uoff: 6, iFolder: 0xfffe },
        { name: 'both.bin', size: 99, uoff: 0, iFolder: 0xffff },
      ],
    });
    const cab = parseCab(buf);
    expect(cab.header).toMatchObject({
      flags: 7, flagNames: ['prev-cabinet', 'next-cabinet', 'reserve-present'], setID: 0x1234, iCabinet: 1,
      cbCFHeader: 4, cbCFFolder: 2, cbCFData: 3, reserve: Buffer.from('RSVD'),
      prevCabinet: 'part1.cab', prevDisk: 'Disk 1', nextCabinet: 'part3.cab', nextDisk: 'Disk 3',
    });
    expect(cab.folders[0]!.reserve).toEqual(Buffer.alloc(2));
    expect(cab.files.map((f) => [f.iFolder, f.folder, f.continued])).toEqual([
      [0xfffd, 0, 'from-prev'], [0, 0, undefined], [0xfffe, 0, 'to-next'], [0xffff, 0, 'prev-and-next'],
    ]);
    expect(cab.problems).toEqual([{
      code: 'multi-cabinet',
      message: 'this cabinet is part of a set (previous: part1.cab, next: part3.cab); files continued from/to other cabinets cannot be extracted',
    }]);
  });

  it('names: UTF-8 when attrib 0x80, else latin1', () => {
    const buf = buildRawCab({
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('ab') }] }],
      files: [
        { name: Buffer.from('caf\xe9.txt', 'latin1'), size: 1, uoff: 0, iFolder: 0, attribs: 0x21 },
        { name: Buffer.from('Ünïcødé\\日本.txt', 'utf8'), size: 1, uoff: 1, iFolder: 0, attribs: 0xa0 },
      ],
    });
    const cab = parseCab(buf);
    expect(cab.files.map((f) => [f.name, f.utf8, f.attributes])).toEqual([
      ['café.txt', false, ['readonly', 'archive']],
      ['Ünïcødé\\日本.txt', true, ['archive']],
    ]);
  });

  it('a file pointing at a missing folder is a problem', () => {
    const buf = buildRawCab({
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('ab') }] }],
      files: [{ name: 'x', size: 1, uoff: 0, iFolder: 3 }],
    });
    const cab = parseCab(buf);
    expect(cab.files[0]!.folder).toBeUndefined();
    expect(cab.problems.map((p) => p.code)).toEqual(['bad-folder']);
  });

  it('flags an unexpected version and unknown compression but still lists', () => {
    const buf = writeCab([{ name: 'a', data: Buffer.from('x') }], { compression: 'none' });
    buf[25] = 2;
    buf.writeUInt16LE(0x0007, 36 + 6);
    const cab = parseCab(buf);
    expect(cab.problems.map((p) => p.code)).toEqual(['unexpected-version', 'unknown-compression']);
    expect(cab.files).toHaveLength(1);
  });
});
