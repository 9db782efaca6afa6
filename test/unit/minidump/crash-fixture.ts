// The one crash every minidump test builds: widget.exe faulting in render.dll on Windows 10 x64.
import type { MinidumpWriteOptions } from '../../../src/domain/minidump/minidump-writer.js';

export const CRASH: MinidumpWriteOptions = {
  time: new Date('2024-03-13T17:45:31Z'),
  arch: 'AMD64',
  processors: 8,
  os: { major: 10, minor: 0, build: 19045 },
  exception: { code: 0xc0000005, address: 0x7ff6a125a2f4n, threadId: 4242, parameters: [1n, 0n] },
  modules: [
    { name: 'C:\\Program Files\\Widget\\widget.exe', base: 0x7ff6a0000000n, size: 0x200000, timestamp: 0x65f1a2b3, version: '3.2.1.0' },
    { name: 'C:\\Program Files\\Widget\\render.dll', base: 0x7ff6a1240000n, size: 0x80000, timestamp: 0x65f1a2a0, version: '3.2.1.0' },
    { name: 'C:\\Windows\\System32\\ntdll.dll', base: 0x7ffc1e000000n, size: 0x1f8000, timestamp: new Date('2023-10-10T10:00:00Z'), version: '10.0.19041.3636' },
    { name: 'C:\\Windows\\System32\\KERNEL32.DLL', base: 0x7ffc1c000000n, size: 0xbf000, timestamp: 0x5a1b2c3d },
  ],
  threads: 12,
};
