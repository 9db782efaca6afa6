import path, { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab } from '../../../src/domain/cab/cab-extract.js';
import { formatAttribs, formatCab } from '../../../src/render/format-cab.js';
import { createPaint, plainPaint } from '../../../src/render/paint.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { buildRawCab } from './raw-cab.js';
import { readVector } from '../../helpers/paths.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../../fixtures/cab');
const show = (buf: Buffer): string => {
  const cab = parseCab(buf);
  return formatCab(cab, plainPaint, extractCab(buf, cab)).join('\n') + '\n';
};

describe('formatCab', () => {
  it('lists the MSZIP vector', async () => {
    await expect(show(readVector('sample-report-mszip.cab'))).toMatchFileSnapshot(path.join(FIXTURES, 'sample-report-mszip.txt'));
  });

  it('shows LZX folders and per-file errors', async () => {
    const buf = writeCab([{ name: 'a.txt', data: Buffer.from('aaaa') }, { name: 'b.txt', data: Buffer.from('bb') }], { compression: 'none', setID: 0xbeef });
    buf.writeUInt16LE(0x1503, 36 + 6);
    await expect(show(buf)).toMatchFileSnapshot(path.join(FIXTURES, 'fake-lzx.txt'));
  });

  it('shows set membership and continued files', async () => {
    const buf = buildRawCab({
      setID: 0x1234, iCabinet: 1, prev: ['part1.cab', 'Disk 1'], next: ['part3.cab', 'Disk 3'],
      folders: [{ typeCompress: 1, blocks: [] }],
      files: [{ name: 'big.mdmp', size: 123456, uoff: 0, iFolder: 0xffff }],
    });
    await expect(show(buf)).toMatchFileSnapshot(path.join(FIXTURES, 'multi-cabinet.txt'));
  });

  it('not a cabinet: one line and the problem', () => {
    expect(formatCab(parseCab(Buffer.from('PK\x03\x04')), plainPaint)).toEqual([
      'cabinet · unreadable',
      '  ! not-a-cab not a cabinet: the first bytes are not "MSCF"',
    ]);
  });

  it('escapes control characters in names and colours with the Paint', () => {
    const buf = writeCab([{ name: 'evil\x1b]0;pwned\x07.txt', data: Buffer.from('x') }], { compression: 'none' });
    const lines = formatCab(parseCab(buf), plainPaint);
    expect(lines[2]).toContain('evil\\x1b]0;pwned\\x07.txt');
    const coloured = formatCab(parseCab(buf), createPaint(true)).join('\n');
    expect(coloured).toContain('\x1b[');
    expect(coloured).not.toContain('\x1b]0');
  });

  it('formats attributes like ls', () => {
    expect(formatAttribs(0x21)).toBe('r--a--');
    expect(formatAttribs(0xe7)).toBe('rhsaxu');
  });
});
