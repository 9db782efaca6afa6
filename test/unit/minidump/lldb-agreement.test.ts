// Independent check of writeMinidump's layout: LLDB's minidump reader (Debian `lldb`) must see
// the same architecture, modules, threads and exception. Skipped where lldb is not installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMinidump } from '../../../src/wer/minidump-writer.js';
import { CRASH } from './crash-fixture.js';

const HAS_LLDB = spawnSync('lldb', ['--version']).status === 0;

function lldb(dump: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wer-sniff-mdmp-'));
  try {
    const file = path.join(dir, 'crash.dmp');
    writeFileSync(file, dump);
    const r = spawnSync('lldb', ['-b', '--core', file, '-o', 'image list', '-o', 'thread list'], { timeout: 60_000 });
    return r.stdout.toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`lldb reads writeMinidump's output${HAS_LLDB ? '' : ' [skipped: lldb not installed]'}`, () => {
  it.skipIf(!HAS_LLDB)('AMD64: modules, 12 threads, the exception', () => {
    const out = lldb(writeMinidump(CRASH));
    expect(out).toContain('(x86_64) was loaded');
    const images = [...out.matchAll(/^\[\s*\d+\]\s+(0x[0-9a-f]+) (.+?)\s*$/gm)].map((m) => [BigInt(m[1]!), m[2]]);
    expect(images).toEqual(CRASH.modules.map((m) => [BigInt(m.base), m.name]));
    expect(out.match(/thread #\d+: tid = /g)).toHaveLength(12);
    expect(out).toContain('* thread #1: tid = 0x1092, stop reason = Exception 0xc0000005 encountered at address 0x7ff6a125a2f4');
  });

  it.skipIf(!HAS_LLDB)('x86', () => {
    const out = lldb(writeMinidump({ ...CRASH, arch: 'x86', modules: [{ name: 'app.exe', base: 0x400000, size: 0x10000, timestamp: 0 }], exception: { code: 0xc00000fd, address: 0x401000, threadId: 8 } }));
    expect(out).toContain('(i386) was loaded');
    expect(out).toContain('tid = 0x0008, stop reason = Exception 0xc00000fd encountered at address 0x401000');
  });
});
