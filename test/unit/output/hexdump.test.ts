import { describe, expect, test } from 'vitest';
import { formatHexdump } from '../../../src/render/hexdump.js';
import { plain } from './paints.js';

describe('formatHexdump', () => {
  test('hexdump -C layout, partial last line', () => {
    const buf = Buffer.from('MSCF\0\0\0\0^\x05\0\0\0\0\0\0,\0\r\n', 'latin1');
    expect(formatHexdump(buf, {}, plain)).toEqual([
      '00000000  4d 53 43 46 00 00 00 00  5e 05 00 00 00 00 00 00  |MSCF....^.......|',
      '00000010  2c 00 0d 0a                                       |,...|',
    ]);
  });

  test('offset and maxBytes with a "more bytes" line', () => {
    const buf = Buffer.alloc(40, 0x41);
    expect(formatHexdump(buf, { offset: 0x100, maxBytes: 16 }, plain)).toEqual([
      '00000100  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|',
      '… 24 more bytes',
    ]);
    expect(formatHexdump(Buffer.alloc(2), { maxBytes: 1 }, plain).at(-1)).toBe('… 1 more byte');
  });

  test('empty buffer, high bytes are dots', () => {
    expect(formatHexdump(Buffer.alloc(0), {}, plain)).toEqual([]);
    expect(formatHexdump(Buffer.from([0x1b, 0xff, 0x7f, 0x20]), {}, plain)[0]).toMatch(/\|\.\.\. \|$/);
  });
});
