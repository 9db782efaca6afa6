import { describe, expect, it } from 'vitest';
import { exceptionName, moduleAt, parseMinidump, MODULE_SIZE } from '../../../src/domain/minidump/minidump.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { CRASH } from './crash-fixture.js';


describe('parseMinidump(writeMinidump(...))', () => {
  const buf = writeMinidump(CRASH);
  const sum = parseMinidump(buf);

  it('reads back the header and directory', () => {
    expect(sum.problems).toEqual([]);
    expect(buf.subarray(0, 4).toString('latin1')).toBe('MDMP');
    expect(sum.header).toEqual({
      version: 0xa793, implementation: 0, streams: 4, directoryRva: 32, checksum: 0,
      timeDateStamp: 1710351931, time: '2024-03-13T17:45:31Z', flags: '0x0', flagNames: [],
    });
    expect(sum.streams.map((s) => [s.name, s.size])).toEqual([
      ['SystemInfoStream', 56], ['ExceptionStream', 168], ['ModuleListStream', 4 + 4 * MODULE_SIZE], ['ThreadListStream', 4 + 12 * 48],
    ]);
    for (const s of sum.streams) expect(s.rva % 8).toBe(0);
  });

  it('reads back MINIDUMP_SYSTEM_INFO', () => {
    expect(sum.system).toEqual({
      archCode: 9, arch: 'AMD64', processorLevel: 6, processorRevision: 0, processors: 8,
      productType: 1, productTypeName: 'workstation', os: { major: 10, minor: 0, build: 19045 },
      platformId: 2, platform: 'Win32 NT', suiteMask: 0x100, suite: ['SingleUserTS'],
    });
  });

  it('reads back the exception and finds its module', () => {
    expect(sum.exception).toEqual({
      threadId: 4242, code: 'c0000005', codeName: 'access violation', flags: 0,
      address: '0x7ff6a125a2f4', record: '0x0', parameters: ['0x1', '0x0'],
      module: { name: 'C:\\Program Files\\Widget\\render.dll', offset: '0x1a2f4' },
      access: { kind: 'write', address: '0x0' },
    });
  });

  it('reads back the modules and the thread count', () => {
    expect(sum.modules).toEqual([
      { name: 'C:\\Program Files\\Widget\\widget.exe', base: '0x7ff6a0000000', size: 0x200000, checksum: 0, timeDateStamp: 0x65f1a2b3, time: '2024-03-13T12:57:23Z', version: '3.2.1.0', codeId: '65F1A2B3200000' },
      { name: 'C:\\Program Files\\Widget\\render.dll', base: '0x7ff6a1240000', size: 0x80000, checksum: 0, timeDateStamp: 0x65f1a2a0, time: '2024-03-13T12:57:04Z', version: '3.2.1.0', codeId: '65F1A2A080000' },
      { name: 'C:\\Windows\\System32\\ntdll.dll', base: '0x7ffc1e000000', size: 0x1f8000, checksum: 0, timeDateStamp: 1696932000, time: '2023-10-10T10:00:00Z', version: '10.0.19041.3636', codeId: '652520A01f8000' },
      { name: 'C:\\Windows\\System32\\KERNEL32.DLL', base: '0x7ffc1c000000', size: 0xbf000, checksum: 0, timeDateStamp: 0x5a1b2c3d, time: '2017-11-26T21:03:57Z', codeId: '5A1B2C3Dbf000' },
    ]);
    expect(sum.threadCount).toBe(12);
  });

  it('x86 with a service pack string and no module at the address', () => {
    const s = parseMinidump(writeMinidump({
      ...CRASH, arch: 'x86', processors: 2, os: { major: 6, minor: 1, build: 7601, sp: 'Service Pack 1' },
      exception: { code: 0xe06d7363, address: 0x12345678, threadId: 7 }, modules: [], threads: undefined,
    }));
    expect(s.problems).toEqual([]);
    expect(s.system).toMatchObject({ arch: 'x86', processors: 2, os: { major: 6, minor: 1, build: 7601 }, servicePack: 'Service Pack 1' });
    expect(s.exception).toEqual({ threadId: 7, code: 'e06d7363', codeName: 'C++ exception (throw)', flags: 0, address: '0x12345678', record: '0x0', parameters: [] });
    expect(s.threadCount).toBe(1);
  });
});

describe('parseMinidump on damaged input', () => {
  const buf = writeMinidump(CRASH);

  it('not a minidump: one problem, nothing else', () => {
    expect(parseMinidump(Buffer.from('MSCF....'))).toEqual({ streams: [], modules: [], problems: [{ code: 'not-a-minidump', message: 'not a minidump: the first bytes are not "MDMP"', offset: 0 }] });
  });

  it('truncated at every offset: problems, never exceptions', () => {
    // The last 2 bytes are the optional NUL after the final MINIDUMP_STRING.
    for (let cut = 4; cut < buf.length - 2; cut++) {
      const s = parseMinidump(buf.subarray(0, cut));
      expect(s.problems.length, `cut ${cut}`).toBeGreaterThan(0);
      expect(s.problems.map((p) => p.code).every((c) => c === 'truncated' || c === 'rva-out-of-range'), `cut ${cut}`).toBe(true);
    }
  });

  it('out-of-range RVAs are problems', () => {
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(0xfffffff0, 12); // StreamDirectoryRva
    expect(parseMinidump(bad).problems).toMatchObject([{ code: 'rva-out-of-range' }]);
    const bad2 = Buffer.from(buf);
    bad2.writeUInt32LE(0x7fffffff, 32 + 12 * 2 + 8); // ModuleListStream Rva
    const s = parseMinidump(bad2);
    expect(s.problems).toMatchObject([{ code: 'rva-out-of-range', message: expect.stringContaining('ModuleListStream') }]);
    expect(s.modules).toEqual([]);
    expect(s.exception?.module).toBeUndefined();
    expect(s.system?.arch).toBe('AMD64');
  });

  it('a module list claiming more modules than its stream holds', () => {
    const bad = Buffer.from(buf);
    const rva = bad.readUInt32LE(32 + 12 * 2 + 8);
    bad.writeUInt32LE(1000, rva);
    const s = parseMinidump(bad);
    expect(s.modules).toHaveLength(4);
    expect(s.problems).toMatchObject([{ code: 'stream-too-small', message: 'ModuleListStream lists 1000 modules but holds 4' }]);
  });

  it('flags an unexpected version and names unknown flag bits', () => {
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(0x1234, 4);
    bad.writeBigUInt64LE(0x1_0000_1005n, 24);
    const s = parseMinidump(bad);
    expect(s.problems.map((p) => p.code)).toEqual(['unexpected-version']);
    expect(s.header?.flags).toBe('0x100001005');
    expect(s.header?.flagNames).toEqual(['MiniDumpWithDataSegs', 'MiniDumpWithHandleData', 'MiniDumpWithThreadInfo', '0x100000000']);
  });
});

describe('helpers', () => {
  it('moduleAt finds the containing module, not a neighbour', () => {
    const { modules } = parseMinidump(writeMinidump(CRASH));
    expect(moduleAt(modules, 0x7ff6a1240000n)?.module.name).toMatch(/render\.dll$/);
    expect(moduleAt(modules, '0x7ff6a12bffff')?.offset).toBe(0x7ffffn);
    expect(moduleAt(modules, 0x7ff6a12c0000n)).toBeUndefined();
    expect(moduleAt(modules, 0n)).toBeUndefined();
  });

  it('exceptionName knows the common codes', () => {
    expect(exceptionName(0xc00000fd)).toBe('stack overflow');
    expect(exceptionName(0xc0000409)).toBe('stack buffer overrun / fail-fast (__fastfail)');
    expect(exceptionName(0x12345678)).toBeUndefined();
  });
});
