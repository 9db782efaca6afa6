// lldb (LLDB's minidump reader, Debian `lldb`) as the outside judge of our minidump summary:
// for the same dump, what parseMinidump says — exception code and address, the faulting thread's
// id, the thread count, and every module with its base — must be what lldb shows. The dumps are
// writeMinidump's, so lldb also judges the writer. Only those fields are compared: the summary may
// grow (stack walking) without this test changing. Runs wherever lldb is; under CI always.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMinidump } from '../../../src/domain/minidump/minidump.js';
import { writeMinidump, type MinidumpWriteOptions } from '../../../src/domain/minidump/minidump-writer.js';
import { peer, skipNote } from '../../helpers/peers.js';
import { CRASH } from './crash-fixture.js';

const HAS_LLDB = peer('lldb');
const dir = mkdtempSync(path.join(tmpdir(), 'wer-sniff-mdmp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LldbView {
  arch: string;
  threads: { tid: number; stop?: { code: string; address: bigint } }[];
  images: { base: bigint; name: string }[];
}

/** lldb's view of a dump: `target create --core`, `thread list`, `image list`. */
function lldb(name: string, dump: Buffer): LldbView {
  const file = path.join(dir, `${name}.dmp`);
  writeFileSync(file, dump);
  const r = spawnSync('lldb', ['--batch', '-o', `target create --core ${file}`, '-o', 'thread list', '-o', 'image list'], { timeout: 60_000 });
  expect(r.error).toBeUndefined();
  const out = r.stdout.toString().replace(/\r\n/g, '\n');
  const arch = /Core file '.*' \((\w+)\) was loaded/.exec(out)?.[1];
  expect(arch, `lldb did not load the core:\n${out}\n${r.stderr}`).toBeDefined();
  const threads = [...out.matchAll(/^[* ] thread #\d+: tid = (0x[0-9a-f]+)(?:, 0x[0-9a-f]+)?(?:, stop reason = Exception (0x[0-9a-f]+) encountered at address (0x[0-9a-f]+))?\s*$/gm)]
    .map((m) => ({ tid: Number(m[1]), stop: m[2] ? { code: m[2], address: BigInt(m[3]!) } : undefined }));
  const images = [...out.matchAll(/^\[\s*\d+\]\s+(?:[0-9A-F-]+\s+)?(0x[0-9a-f]+) (.+?)\s*$/gm)].map((m) => ({ base: BigInt(m[1]!), name: m[2]! }));
  return { arch: arch!, threads, images };
}

/** Our summary and lldb's view of one dump agree on the fields both can see. */
function agree(name: string, opts: MinidumpWriteOptions, lldbArch: string): void {
  const dump = writeMinidump(opts);
  const ours = parseMinidump(dump);
  expect(ours.problems).toEqual([]);
  const theirs = lldb(name, dump);
  expect(theirs.arch).toBe(lldbArch);
  const stopped = theirs.threads.filter((t) => t.stop);
  expect(stopped).toHaveLength(1);
  expect({ threadId: ours.exception!.threadId, code: `0x${ours.exception!.code}`, address: BigInt(ours.exception!.address) })
    .toEqual({ threadId: stopped[0]!.tid, code: stopped[0]!.stop!.code, address: stopped[0]!.stop!.address });
  expect(ours.threadCount).toBe(theirs.threads.length);
  // lldb lists images in the order of the module list, as we do
  expect(ours.modules.map((m) => ({ base: BigInt(m.base), name: m.name }))).toEqual(theirs.images);
}

describe(`lldb and our minidump summary see the same crash${skipNote('lldb')}`, () => {
  it.skipIf(!HAS_LLDB)('AMD64: exception code, address and thread, 12 threads, 4 modules with their bases', () => {
    agree('amd64', CRASH, 'x86_64');
  });

  it.skipIf(!HAS_LLDB)('x86: a stack overflow in a 32-bit process, one module', () => {
    agree('x86', { ...CRASH, arch: 'x86', threads: 3, modules: [{ name: 'app.exe', base: 0x400000, size: 0x10000, timestamp: 0 }], exception: { code: 0xc00000fd, address: 0x401000, threadId: 8 } }, 'i386');
  });

  it.skipIf(!HAS_LLDB)('ARM64: a C++ exception with a high thread id, no module at the address, 40 modules', () => {
    const modules = Array.from({ length: 40 }, (_, i) => ({ name: `C:\\Windows\\System32\\mod${i}.dll`, base: 0x7ff800000000n + BigInt(i) * 0x100000n, size: 0x80000, timestamp: 1_700_000_000 + i }));
    agree('arm64', { ...CRASH, arch: 'ARM64', threads: 2, modules, exception: { code: 0xe06d7363, address: 0x1234567890n, threadId: 0xfffe } }, 'aarch64');
  });
});
