import path, { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMinidump } from '../../../src/domain/minidump/minidump.js';
import { formatMinidump } from '../../../src/render/format-minidump.js';
import { plainPaint } from '../../../src/render/paint.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { CRASH } from './crash-fixture.js';
import { X64_CRASH, X86_CRASH } from './stack-fixture.js';

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

  it('the crashing thread: top five frames with how each was found, uptime, the thread name escaped', () => {
    const lines = formatMinidump(parseMinidump(writeMinidump({ ...X64_CRASH, threadNames: { 0: 'Render\x1b]0;x\x07' } })), plainPaint);
    expect(lines.slice(0, 7)).toEqual([
      'minidump · 2024-03-13T17:45:31Z · AMD64 ×8 · Windows 10.0.19045 · exception c0000005 access violation writing 0x0 at 0x7ff6a125a2f4 in render.dll+0x1a2f4 (thread 4242) · 4 modules · 3 threads · up 5m 31s',
      '  stack of thread 4242 (Render\\x1b]0;x\\x07):',
      '     0  render.dll+0x1a2f4    context',
      '     1  render.dll+0x500f     frame pointer',
      '     2  widget.exe+0x1233     frame pointer',
      '     3  KERNEL32.DLL+0x17033  scan',
      '     4  ntdll.dll+0x4d61a     scan',
    ]);
    expect(lines[7]).toBe('  modules around the fault:');
  });

  it('more than five frames: a count; x86 read access', () => {
    const words = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [0x200 + i * 4, 0x400000n + 0x100n * BigInt(i + 1)]));
    const data = Buffer.alloc(0x1000);
    for (const [o, v] of Object.entries(words)) data.writeUInt32LE(Number(v), Number(o));
    const lines = formatMinidump(parseMinidump(writeMinidump({ ...X86_CRASH, stack: { start: 0x19f000n, data } })), plainPaint);
    expect(lines[0]).toContain('exception c0000005 access violation reading 0x10 at 0x10001000 in render.dll+0x1000 (thread 8)');
    expect(lines).toContain('    … 4 more frames (--json lists them)');
  });

  it('a crash in an unloaded module, and execute access', () => {
    const lines = formatMinidump(parseMinidump(writeMinidump({ ...X64_CRASH, exception: { ...X64_CRASH.exception, address: 0x7ff6b0001000n, parameters: [8n, 0x7ff6b0001000n] } })), plainPaint);
    expect(lines[0]).toContain('exception c0000005 access violation executing (DEP) 0x7ff6b0001000 at 0x7ff6b0001000 (thread 4242)');
    expect(lines[1]).toBe('  ! the address is in unloaded plugin.dll+0x1000: code ran after its module was unloaded');
  });

  it('not a minidump', () => {
    expect(formatMinidump(parseMinidump(Buffer.from('nope')), plainPaint)).toEqual([
      'minidump', '  ! not-a-minidump not a minidump: the first bytes are not "MDMP"',
    ]);
  });
});
