import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { buildRawCab } from './raw-cab.js';
import { readVector } from '../../helpers/paths.js';

const plain = readVector('sample-report.cab');
const mszip = readVector('sample-report-mszip.cab');

/** Offset of CFDATA block `i` of folder 0 (no reserve). */
function blockOffset(cab: Buffer, i: number): number {
  let pos = cab.readUInt32LE(36);
  for (let k = 0; k < i; k++) pos += 8 + cab.readUInt16LE(pos + 4);
  return pos;
}

describe('extractCab on the protocol vectors', () => {
  it('stored and MSZIP vectors give the same first two files', () => {
    const a = extractCab(plain), b = extractCab(mszip);
    expect(a.map((f) => f.error)).toEqual([undefined, undefined]);
    expect(b.map((f) => f.error)).toEqual([undefined, undefined, undefined]);
    expect(b[0]!.data).toEqual(a[0]!.data);
    expect(b[1]!.data).toEqual(a[1]!.data);
    // UTF-16LE + BOM, as make-vectors.py writes them.
    expect(a[0]!.data!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(a[0]!.data!.toString('utf16le')).toContain('<WERReportMetadata>');
    expect(a[1]!.data!.toString('utf16le')).toContain('Windows NT Version 10.0 Build: 19045');
    const dump = b[2]!.data!;
    expect(dump.length).toBe(96008);
    expect(dump.subarray(0, 8)).toEqual(Buffer.from('MDMP\x93\xa7\x00\x00', 'latin1'));
    expect(dump.toString('latin1')).toContain('widget-thread-02999|');
  });

  it('returns copies, not views into the cabinet', () => {
    const copy = Buffer.from(plain);
    const [f] = extractCab(copy);
    copy.fill(0);
    expect(f!.data!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
  });
});

describe('extractCab never returns wrong bytes', () => {
  it('a flipped checksum bit in MSZIP block 2 fails every file from there on', () => {
    const buf = Buffer.from(mszip);
    buf[blockOffset(buf, 1)]! ^= 0x01;
    const out = extractCab(buf);
    // the files before the bad block come out exact (their bytes are in block 1), none wrong
    const intact = extractCab(mszip);
    expect(intact.map((f) => f.error)).toEqual([undefined, undefined, undefined]);
    expect(out[0]!.data!.equals(intact[0]!.data!)).toBe(true);
    expect(out[1]!.data!.equals(intact[1]!.data!)).toBe(true);
    expect(out[0]!.data!.subarray(2, 12).toString('utf16le')).toBe('<?xml'); // UTF-16LE after its BOM
    expect(out[2]!.data).toBeUndefined();
    expect(out[2]).toEqual({ name: 'WER5A11.tmp.mdmp', size: 96008, error: { code: 'checksum', message: 'CFDATA block 2 of folder 0 failed its checksum' } });
  });

  it('a corrupted stored payload fails only the files it overlaps', () => {
    const big = Buffer.alloc(70000, 0x41);
    const cab = writeCab([{ name: 'a', data: Buffer.from('first') }, { name: 'b', data: big }, { name: 'c', data: Buffer.from('last') }], { compression: 'none' });
    const bad = Buffer.from(cab);
    bad[blockOffset(bad, 1) + 8 + 100]! ^= 0x40; // inside block 2 (bytes 32768..65535 of the stream)
    const out = extractCab(bad);
    expect(out.map((f) => f.error?.code)).toEqual([undefined, 'checksum', undefined]);
    expect(out[0]!.data).toEqual(Buffer.from('first'));
    expect(out[1]!.data).toBeUndefined();
    expect(out[2]!.data).toEqual(Buffer.from('last'));
  });

  it('a checksum of 0 means "not computed" and is accepted', () => {
    const buf = Buffer.from(plain);
    buf.writeUInt32LE(0, blockOffset(buf, 0));
    expect(extractCab(buf).map((f) => f.error)).toEqual([undefined, undefined]);
  });

  it('truncated stored cabinet at every offset: only whole, correct files come back', () => {
    const want = extractCab(plain);
    for (let cut = 0; cut < plain.length; cut++) {
      const out = extractCab(plain.subarray(0, cut));
      out.forEach((f, i) => {
        if (f.data) expect(f.data.equals(want[i]!.data!), `cut ${cut}`).toBe(true);
        else expect(f.error, `cut ${cut}`).toBeDefined();
      });
    }
  });

  it('truncated MSZIP cabinet at many offsets: only whole, correct files come back', () => {
    const want = extractCab(mszip);
    for (let cut = 0; cut < mszip.length; cut += 61) {
      const out = extractCab(mszip.subarray(0, cut));
      out.forEach((f, i) => {
        if (f.data) expect(f.data.equals(want[i]!.data!), `cut ${cut}`).toBe(true);
        else expect(f.error, `cut ${cut}`).toBeDefined();
      });
      if (cut > 1500) expect(out[2]?.error?.code, `cut ${cut}`).toBe('truncated');
    }
  });

  it('an MSZIP block that does not inflate is an error', () => {
    const buf = Buffer.from(mszip);
    const at = blockOffset(buf, 0);
    buf.writeUInt32LE(0, at); // no checksum, so the inflater is the one to notice
    buf.fill(0xff, at + 8 + 2, at + 8 + 40);
    const out = extractCab(buf);
    expect(out.every((f) => f.error?.code === 'mszip-error')).toBe(true);
  });

  it('cbUncomp not matching the inflated size is an error', () => {
    const payload = Buffer.concat([Buffer.from('CK'), deflateRawSync(Buffer.from('hello world'))]);
    const buf = buildRawCab({
      folders: [{ typeCompress: 1, blocks: [{ payload, cbUncomp: 12 }] }],
      files: [{ name: 'x', size: 12, uoff: 0, iFolder: 0 }],
    });
    expect(extractCab(buf)[0]!.error).toEqual({ code: 'mszip-error', message: 'CFDATA block 1 of folder 0: MSZIP block inflated to 11 bytes, CFDATA says 12' });
  });

  it('a file beyond its folder data is out-of-range', () => {
    const buf = buildRawCab({
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('abc') }] }],
      files: [{ name: 'ok', size: 3, uoff: 0, iFolder: 0 }, { name: 'past', size: 5, uoff: 2, iFolder: 0 }],
    });
    const out = extractCab(buf);
    expect(out[0]!.data).toEqual(Buffer.from('abc'));
    expect(out[1]!.error?.code).toBe('out-of-range');
  });
});

describe('extractCab with what it cannot extract', () => {
  it('a stored folder labelled LZX (typeCompress 0x1503) is listed; its files get an lzx-error naming folder and block', () => {
    const buf = writeCab([{ name: 'a.txt', data: Buffer.from('aaaa') }, { name: 'b.txt', data: Buffer.from('bb') }], { compression: 'none' });
    buf.writeUInt16LE(0x1503, 36 + 6);
    const cab = parseCab(buf);
    expect(cab.folders[0]!.compression).toEqual({ method: 'lzx', lzxWindowBits: 21 });
    expect(cab.files.map((f) => f.name)).toEqual(['a.txt', 'b.txt']);
    // 'aa' read as LZX: E8 bit 0, then block type 6.
    const err = { code: 'lzx-error', message: 'CFDATA block 1 of folder 0: LZX: block type 6 is not verbatim (1), aligned (2) or uncompressed (3)' };
    expect(extractCab(buf, cab)).toEqual([{ name: 'a.txt', size: 4, error: err }, { name: 'b.txt', size: 2, error: err }]);
  });

  it('an LZX window outside 2^15..2^21 is a bad-compression problem', () => {
    const buf = writeCab([{ name: 'a.txt', data: Buffer.from('aaaa') }], { compression: 'none' });
    buf.writeUInt16LE(0x1603, 36 + 6);
    expect(extractCab(buf)[0]!.error).toEqual({ code: 'bad-compression', message: 'LZX window 2^22 is outside the 2^15..2^21 that [MS-CAB] §2.2 allows' });
  });

  it('Quantum is unsupported too', () => {
    const buf = writeCab([{ name: 'q', data: Buffer.from('q') }], { compression: 'none' });
    buf.writeUInt16LE(0x0a72, 36 + 6);
    expect(extractCab(buf)[0]!.error?.message).toBe('Quantum-compressed; wer-sniff can list but not extract it — use cabextract');
  });

  it('multi-cabinet: continued files and spanning folders fail, others extract', () => {
    const buf = buildRawCab({
      next: ['next.cab', 'Disk 2'],
      folders: [
        { typeCompress: 0, blocks: [{ payload: Buffer.from('whole') }] },
        { typeCompress: 0, blocks: [{ payload: Buffer.from('0123456789') }] },
      ],
      files: [
        { name: 'whole.txt', size: 5, uoff: 0, iFolder: 0 },
        { name: 'inlast.txt', size: 2, uoff: 0, iFolder: 1 },
        { name: 'spans.bin', size: 100, uoff: 2, iFolder: 0xfffe },
      ],
    });
    const cab = parseCab(buf);
    expect(cab.problems.map((p) => p.message)).toEqual(['this cabinet is part of a set (next: next.cab); files continued from/to other cabinets cannot be extracted']);
    const out = extractCab(buf, cab);
    expect(out[0]!.data).toEqual(Buffer.from('whole'));
    expect(out[1]!.error?.code).toBe('multi-cabinet');
    expect(out[2]!.error).toEqual({ code: 'multi-cabinet', message: 'continued in the next cabinet; extract the whole set with cabextract' });
  });

  it('reserve areas are skipped; their checksum form (with or without abReserve) is accepted', () => {
    const buf = buildRawCab({
      reserve: { header: Buffer.alloc(6), folder: 4, data: 5 },
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('hello') }, { payload: Buffer.from('world') }] }],
      files: [{ name: 'hw', size: 10, uoff: 0, iFolder: 0 }],
    });
    expect(extractCab(buf)[0]!.data).toEqual(Buffer.from('helloworld'));
  });

  it('a bad folder index is an error on that file only', () => {
    const buf = buildRawCab({
      folders: [{ typeCompress: 0, blocks: [{ payload: Buffer.from('ab') }] }],
      files: [{ name: 'x', size: 1, uoff: 0, iFolder: 7 }, { name: 'y', size: 1, uoff: 1, iFolder: 0 }],
    });
    const out = extractCab(buf);
    expect(out[0]!.error?.code).toBe('bad-folder');
    expect(out[1]!.data).toEqual(Buffer.from('b'));
  });

  it('maxFolderBytes caps decoding: files beyond it are too-large', () => {
    const buf = writeCab([{ name: 'small', data: Buffer.alloc(10, 1) }, { name: 'big', data: Buffer.alloc(100_000, 2) }], { compression: 'mszip' });
    const out = extractCab(buf, parseCab(buf), { maxFolderBytes: 50_000 });
    expect(out[0]!.data).toEqual(Buffer.alloc(10, 1));
    expect(out[1]!.error?.code).toBe('too-large');
  });

  it('not-a-cab extracts nothing', () => {
    expect(extractCab(Buffer.from('hello'))).toEqual([]);
  });
});
