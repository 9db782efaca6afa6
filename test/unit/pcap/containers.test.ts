// Classic pcap and pcapng containers from hand-built bytes: byte orders, timestamp
// resolutions, block kinds, several sections and interfaces, and files cut short.
import { describe, expect, test } from 'vitest';
import { parseClassicPcap } from '../../../src/sources/pcap/classic.js';
import { parsePcapng } from '../../../src/sources/pcap/pcapng.js';
import { detectCaptureFormat } from '../../../src/sources/pcap/frames.js';
import { classicPcap, Pcapng } from '../../helpers/pcap-build.js';

const SEC = 1_767_323_045; // 2026-01-02T03:04:05Z
const A = Buffer.from('45000014', 'hex');
const B = Buffer.from('6000000000000000', 'hex');

describe('detectCaptureFormat', () => {
  test('by magic number in either byte order, never by content that merely looks binary', () => {
    expect(detectCaptureFormat(Buffer.from('d4c3b2a1', 'hex'))).toBe('pcap');
    expect(detectCaptureFormat(Buffer.from('a1b2c3d4', 'hex'))).toBe('pcap');
    expect(detectCaptureFormat(Buffer.from('4d3cb2a1', 'hex'))).toBe('pcap');
    expect(detectCaptureFormat(Buffer.from('a1b23c4d', 'hex'))).toBe('pcap');
    expect(detectCaptureFormat(Buffer.from('0a0d0d0a', 'hex'))).toBe('pcapng');
    expect(detectCaptureFormat(Buffer.from('POST /stage2.htm'))).toBeUndefined();
    expect(detectCaptureFormat(Buffer.from('d4c3b2', 'hex'))).toBeUndefined();
    expect(detectCaptureFormat(Buffer.from('MSCF\0\0\0\0'))).toBeUndefined();
  });
});

describe('classic pcap', () => {
  test.each([
    ['little-endian µs', true, false, 123_456, 123.456],
    ['big-endian µs', false, false, 123_456, 123.456],
    ['little-endian ns', true, true, 123_456_789, 123.456789],
    ['big-endian ns', false, true, 999_999_999, 999.999999],
  ])('%s: frames, link type, timestamps', (_n, le, nano, frac, ms) => {
    const buf = classicPcap([{ sec: SEC, frac, data: A }, { sec: SEC + 1, frac: 0, data: B, origLen: 100 }], { linkType: 101, le, nano });
    expect(detectCaptureFormat(buf)).toBe('pcap');
    const r = parseClassicPcap(buf);
    expect(r.notices).toEqual([]);
    expect(r.frames).toHaveLength(2);
    expect(r.frames[0]!.ts).toBeCloseTo(SEC * 1000 + ms, 6);
    expect(r.frames[0]).toMatchObject({ index: 1, linkType: 101, origLen: 4 });
    expect(r.frames[0]!.data.equals(A)).toBe(true);
    expect(r.frames[1]).toMatchObject({ index: 2, ts: (SEC + 1) * 1000, origLen: 100 });
  });

  test('a file cut inside the last record keeps every whole frame and says where it ends', () => {
    const buf = classicPcap([{ sec: SEC, frac: 0, data: A }, { sec: SEC, frac: 1, data: B }], { linkType: 1 });
    for (const cut of [buf.length - 3, buf.length - B.length - 10]) {
      const r = parseClassicPcap(buf.subarray(0, cut));
      expect(r.frames).toHaveLength(1);
      expect(r.notices).toMatchObject([{ code: 'pcap-truncated', frame: 2 }]);
    }
    expect(parseClassicPcap(buf.subarray(0, 10)).notices).toMatchObject([{ code: 'pcap-truncated' }]);
  });

  test('an impossible record length stops with pcap-corrupt', () => {
    const buf = classicPcap([{ sec: SEC, frac: 0, data: A }], { linkType: 1 });
    buf.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(parseClassicPcap(buf).notices).toMatchObject([{ code: 'pcap-corrupt', frame: 1 }]);
  });

  test('the FCS bits above the link type are ignored', () => {
    const buf = classicPcap([{ sec: SEC, frac: 0, data: A }], { linkType: 0x10000000 | 1 });
    expect(parseClassicPcap(buf).frames[0]!.linkType).toBe(1);
  });
});

describe('pcapng', () => {
  test.each([['little-endian', true], ['big-endian', false]])('%s section: EPB with default µs, SPB, OPB, unknown blocks skipped', (_n, le) => {
    const buf = new Pcapng(le).section().iface(101)
      .block(0x00000004, Buffer.alloc(8)) // name resolution: skipped
      .epb(0, BigInt(SEC) * 1_000_000n + 250_000n, A, 60)
      .block(0x0bad0bad, Buffer.alloc(12)) // custom/unknown
      .spb(B)
      .opb(0, BigInt(SEC) * 1_000_000n + 500_000n, A)
      .build();
    expect(detectCaptureFormat(buf)).toBe('pcapng');
    const r = parsePcapng(buf);
    expect(r.notices).toEqual([]);
    expect(r.frames.map((f) => [f.index, f.ts, f.linkType, f.data.toString('hex'), f.origLen])).toEqual([
      [1, SEC * 1000 + 250, 101, A.toString('hex'), 60],
      // A simple packet block has no timestamp of its own.
      [2, SEC * 1000 + 250, 101, B.toString('hex'), B.length],
      [3, SEC * 1000 + 500, 101, A.toString('hex'), A.length],
    ]);
  });

  test('if_tsresol (decimal and binary) and if_tsoffset per interface; packets name their interface', () => {
    const buf = new Pcapng().section()
      .iface(1, { tsresol: 9 })
      .iface(113, { tsresol: 0x80 | 10 })
      .iface(101, { tsresol: 3, tsoffset: 100n })
      .epb(0, BigInt(SEC) * 1_000_000_000n + 123_456_789n, A)
      .epb(1, BigInt(SEC) * 1024n + 512n, A)
      .epb(2, 1500n, A)
      .build();
    const r = parsePcapng(buf);
    expect(r.frames.map((f) => f.linkType)).toEqual([1, 113, 101]);
    expect(r.frames[0]!.ts).toBeCloseTo(SEC * 1000 + 123.456789, 6);
    expect(r.frames[1]!.ts).toBe(SEC * 1000 + 500);
    expect(r.frames[2]!.ts).toBe(101_500);
  });

  test('several sections: each has its own byte order and interfaces', () => {
    const buf = new Pcapng(true).section().iface(1).epb(0, 1_000_000n, A)
      .section(false).iface(229).epb(0, 2_000_000n, B).build();
    const r = parsePcapng(buf);
    expect(r.notices).toEqual([]);
    expect(r.frames.map((f) => [f.linkType, f.ts])).toEqual([[1, 1000], [229, 2000]]);
  });

  test('a packet on an undescribed interface is skipped with a notice; a cut block ends the file', () => {
    const good = new Pcapng().section().iface(1).epb(0, 0n, A).epb(3, 0n, A).build();
    const r = parsePcapng(good);
    expect(r.frames).toHaveLength(1);
    expect(r.notices).toMatchObject([{ code: 'pcap-corrupt' }]);
    const cut = parsePcapng(good.subarray(0, good.length - 5));
    expect(cut.frames).toHaveLength(1);
    expect(cut.notices.map((n) => n.code)).toEqual(['pcap-truncated']);
  });

  test('a section header without a valid byte-order magic is reported', () => {
    const buf = new Pcapng().section().build();
    buf.writeUInt32LE(0x12345678, 8);
    expect(parsePcapng(buf).notices).toMatchObject([{ code: 'pcap-corrupt' }]);
  });
});
