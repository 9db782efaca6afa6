// Hand-built crashes with CPU context and stack memory, for the stack-walk tests: an x64 and an
// x86 process, each with a two-record frame-pointer chain and then return addresses that only
// a stack scan finds, plus noise words that point nowhere.
import type { MinidumpWriteOptions } from '../../../src/domain/minidump/minidump-writer.js';

/** A stack of `size` bytes at `start` with pointer-sized `words` written at offsets. */
export function stackBytes(size: number, pointer: 4 | 8, words: Record<number, bigint>): Buffer {
  const b = Buffer.alloc(size);
  for (const [off, v] of Object.entries(words)) {
    if (pointer === 8) b.writeBigUInt64LE(v, Number(off));
    else b.writeUInt32LE(Number(v), Number(off));
  }
  return b;
}

export const X64 = {
  app: 0x7ff6a0000000n, render: 0x7ff6a1240000n, kernel32: 0x7ffc1c000000n, ntdll: 0x7ffc1e000000n,
  stack: 0xe8f3bff000n,
};

export const X64_CRASH: MinidumpWriteOptions = {
  time: new Date('2024-03-13T17:45:31Z'),
  arch: 'AMD64',
  processors: 8,
  os: { major: 10, minor: 0, build: 19045 },
  exception: {
    code: 0xc0000005, address: X64.render + 0x1a2f4n, threadId: 4242, parameters: [1n, 0n],
    context: { ip: X64.render + 0x1a2f4n, sp: X64.stack + 0x100n, fp: X64.stack + 0x200n },
  },
  modules: [
    { name: 'C:\\Program Files\\Widget\\widget.exe', base: X64.app, size: 0x200000, timestamp: 0x65f1a2b3, version: '3.2.1.0', pdb: { name: 'D:\\build\\widget.pdb', guid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', age: 2 } },
    { name: 'C:\\Program Files\\Widget\\render.dll', base: X64.render, size: 0x80000, timestamp: 0x65f1a2a0, version: '3.2.1.0', pdb: { name: 'render.pdb', guid: '0123456789abcdef0123456789abcdef', age: 0x1a } },
    { name: 'C:\\Windows\\System32\\ntdll.dll', base: X64.ntdll, size: 0x1f8000, timestamp: 0x652520a0 },
    { name: 'C:\\Windows\\System32\\KERNEL32.DLL', base: X64.kernel32, size: 0xbf000, timestamp: 0x5a1b2c3d },
  ],
  threads: 3,
  threadNames: { 0: 'RenderThread', 2: 'Worker \x1b[31m' },
  stack: {
    start: X64.stack,
    data: stackBytes(0x1000, 8, {
      0x100: 0x1234n, 0x108: 0xdeadbeefn, // locals below the frame record
      0x200: X64.stack + 0x300n, 0x208: X64.render + 0x5010n, // RBP record of the crashing function
      0x300: 0n, 0x308: X64.app + 0x1234n, // the last record: saved RBP 0
      0x310: 0x7ff6a0000000n - 1n, 0x380: 42n, // near misses
      0x400: X64.kernel32 + 0x17034n,
      0x480: X64.ntdll + 0x4d61bn,
    }),
  },
  unloaded: [{ name: 'C:\\Program Files\\Widget\\plugin.dll', base: 0x7ff6b0000000n, size: 0x40000, timestamp: 0x65000000 }],
  process: { id: 7312, created: new Date('2024-03-13T17:40:00Z'), userSeconds: 12, kernelSeconds: 3 },
};

export const X86 = { app: 0x400000n, render: 0x10000000n, kernel32: 0x76000000n, stack: 0x19f000n };

export const X86_CRASH: MinidumpWriteOptions = {
  time: new Date('2024-03-13T17:45:31Z'),
  arch: 'x86',
  processors: 2,
  os: { major: 6, minor: 1, build: 7601 },
  exception: {
    code: 0xc0000005, address: X86.render + 0x1000n, threadId: 8, parameters: [0n, 0x10n],
    context: { ip: X86.render + 0x1000n, sp: X86.stack + 0x40n, fp: X86.stack + 0x80n },
  },
  modules: [
    { name: 'C:\\app\\app.exe', base: X86.app, size: 0x10000, timestamp: 0x5e000000 },
    { name: 'C:\\app\\render.dll', base: X86.render, size: 0x20000, timestamp: 0x5e000001 },
    { name: 'C:\\Windows\\SysWOW64\\kernel32.dll', base: X86.kernel32, size: 0x100000, timestamp: 0x5e000002 },
  ],
  stack: {
    start: X86.stack,
    data: stackBytes(0x1000, 4, {
      0x80: X86.stack + 0xc0n, 0x84: X86.render + 0x1100n,
      0xc0: X86.stack + 0x100n, 0xc4: X86.app + 0x2200n,
      0x100: 0n, 0x104: X86.kernel32 + 0x3300n,
      0x180: 0xfeedn,
      0x200: X86.app + 0x50n,
    }),
  },
  memory64: true,
};

export const ARM64 = { app: 0x7ff700000000n, stack: 0x16f000000n };

/** ARM64: PC and LR in arm.exe, one X29 frame record on the stack. */
export const ARM64_CRASH: MinidumpWriteOptions = {
  ...X64_CRASH, arch: 'ARM64', unloaded: undefined, threadNames: undefined,
  modules: [{ name: 'C:\\app\\arm.exe', base: ARM64.app, size: 0x10000, timestamp: 0 }],
  exception: {
    code: 0xc0000005, address: ARM64.app + 0x120n, threadId: 5, parameters: [8n, ARM64.app + 0x120n],
    context: { ip: ARM64.app + 0x120n, sp: ARM64.stack, fp: ARM64.stack + 0x20n, lr: ARM64.app + 0x204n },
  },
  stack: { start: ARM64.stack, data: stackBytes(0x100, 8, { 0x20: 0n, 0x28: ARM64.app + 0x304n }) },
};
