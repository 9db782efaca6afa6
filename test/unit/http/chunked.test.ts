import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, dechunk } from '../../../src/pipeline/http/chunked.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('dechunk (whole buffer)', () => {
  it('decodes chunks with extensions and trailers, reports what it used', () => {
    const wire = b('4;a=1;b="x;y"\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0;last\r\nExpires: never\r\nX-Fold: a\r\n b\r\n\r\nNEXT');
    expect(dechunk(wire)).toEqual({
      body: b('Wikipedia in\r\n\r\nchunks.'),
      trailers: [['Expires', 'never'], ['X-Fold', 'a b']],
      consumed: wire.length - 4,
      complete: true,
    });
  });

  it('accepts bare LF and leading zeros; says when incomplete', () => {
    expect(dechunk(b('0003\nabc\n0\n\n'))).toMatchObject({ body: b('abc'), complete: true });
    expect(dechunk(b('3\r\nab'))).toMatchObject({ body: b('ab'), consumed: 5, complete: false });
    expect(dechunk(b('3\r\nabc\r'))).toMatchObject({ consumed: 6, complete: false });
  });

  it('problems', () => {
    expect(dechunk(b('x\r\n'))).toMatchObject({ code: 'bad-chunk-size', message: 'expected a chunk size line "HEX[;ext]", saw "x"' });
    expect(dechunk(b('-1\r\n'))).toMatchObject({ code: 'bad-chunk-size' });
    expect(dechunk(b('1 2\r\n'))).toMatchObject({ code: 'bad-chunk-size' });
    expect(dechunk(b('10000000000000\r\n'))).toMatchObject({ code: 'bad-chunk-size', message: expect.stringContaining('below 2^52') });
    expect(dechunk(b('2\r\nabc\r\n'))).toMatchObject({ code: 'bad-chunk-size', message: 'expected CRLF after the 2-byte chunk data (wrong chunk size?), saw "c\\r"' });
    expect(dechunk(b('0\r\nbad trailer\r\n\r\n'))).toMatchObject({ code: 'bad-header', message: expect.stringMatching(/^trailer: /) });
  });
});

describe('ChunkedDecoder steps', () => {
  it('walks size-line → data → data-end → … → trailer-line → done', () => {
    const d = new ChunkedDecoder(1024);
    expect(d.step).toEqual({ kind: 'size-line' });
    expect(d.sizeLine(b('a;ext\r\n'))).toBeUndefined();
    expect(d.step).toEqual({ kind: 'data', remaining: 10 });
    d.data(4);
    expect(d.step).toEqual({ kind: 'data', remaining: 6 });
    d.data(6);
    expect(d.step).toEqual({ kind: 'data-end' });
    expect(d.dataEnd(b('\r'))).toBe(0);
    expect(d.dataEnd(b('\r\n'))).toBe(2);
    expect(d.sizeLine(b('0\r\n'))).toBeUndefined();
    expect(d.trailerLine(b('T: 1\r\n'))).toBeUndefined();
    expect(d.trailerLine(b('\r\n'))).toBeUndefined();
    expect(d.step).toEqual({ kind: 'done' });
    expect(d.decoded).toBe(10);
    expect(d.trailers).toEqual([['T', '1']]);
    expect(d.trailerBytes).toBe(8);
    expect(() => d.data(1)).toThrow(RangeError);
  });

  it('checks a size line prefix before its LF arrives', () => {
    const d = new ChunkedDecoder(1024);
    expect(d.checkSizePrefix(b('00000000000000ff'))).toBeUndefined();
    expect(d.checkSizePrefix(b('ff;name=value...'))).toBeUndefined();
    expect(d.checkSizePrefix(b('<html><body>oops'))).toMatchObject({ code: 'bad-chunk-size', message: 'expected a chunk size line "HEX[;ext]", saw "<html><body>oops"' });
    expect(d.lineTooLong(1024)).toMatchObject({ code: 'bad-chunk-size', message: expect.stringContaining('within 1024 bytes') });
    expect(d.truncatedMessage()).toContain('waiting for a chunk size line');
  });
});
