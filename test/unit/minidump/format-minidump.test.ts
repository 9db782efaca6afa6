import path, { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMinidump } from '../../../src/decode/wer/minidump.js';
import { formatMinidump } from '../../../src/output/format-minidump.js';
import { plainPaint } from '../../../src/output/paint.js';
import { writeMinidump } from '../../../src/wer/minidump-writer.js';
import { CRASH } from './crash-fixture.js';

const FIXTURES = path.resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/minidump');

describe('formatMinidump', () => {
  it('one headline and the modules around the fault', async () => {
    const lines = formatMinidump(parseMinidump(writeMinidump(CRASH)), plainPaint);
    expect(lines[0]).toBe('minidump · 2024-03-13T17:45:31Z · AMD64 ×8 · Windows 10.0.19045 · exception c0000005 access violation writing 0x0 at 0x7ff6a125a2f4 in render.dll+0x1a2f4 (thread 4242) · 4 modules · 12 threads');
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot(path.join(FIXTURES, 'crash.txt'));
  });

  it('no module at the address: the nearest ones', () => {
    const lines = formatMinidump(parseMinidump(writeMinidump({ ...CRASH, exception: { code: 0xc0000096, address: 0x7ff9n << 32n, threadId: 1 } })), plainPaint);
    expect(lines[0]).toContain('exception c0000096 privileged instruction at 0x7ff900000000 (thread 1)');
    expect(lines[1]).toBe('  no module contains the fault; nearest:');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['0x7ff6a0000000', '0x7ff6a1240000', '0x7ffc1c000000', '0x7ffc1e000000']);
  });

  it('escapes hostile module names and shows problems', () => {
    const buf = writeMinidump({ ...CRASH, modules: [{ name: 'x\x1b[2Jrender.dll', base: 0x7ff6a1240000n, size: 0x80000, timestamp: 0 }] });
    const lines = formatMinidump(parseMinidump(buf), plainPaint);
    expect(lines.join('\n')).not.toContain('\x1b');
    expect(lines.join('\n')).toContain('in x\\x1b[2Jrender.dll+0x1a2f4');
    const cut = formatMinidump(parseMinidump(buf.subarray(0, buf.length - 10)), plainPaint);
    expect(cut.join('\n')).toContain('in <module 0>+0x1a2f4');
    expect(cut.at(-1)).toBe('  ! truncated name of module 0 at RVA 1004 needs 30 bytes but the dump ends at 1026');
  });

  it('not a minidump', () => {
    expect(formatMinidump(parseMinidump(Buffer.from('nope')), plainPaint)).toEqual([
      'minidump', '  ! not-a-minidump not a minidump: the first bytes are not "MDMP"',
    ]);
  });
});
