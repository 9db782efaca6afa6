// Independent judge of the triage decoding: LLDB's minidump reader (Debian `lldb`) opens the
// same hand-built dumps and must agree with parseMinidump on the exception code, address and
// thread, the thread ids, the process id, module bases and names, the RSDS GUID and age (its
// module UUID), and the frames its own frame-pointer unwinder finds. Skipped (visibly) without
// lldb, except under CI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMinidump } from '../../../src/domain/minidump/minidump.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { ARM64_CRASH, X64_CRASH, X86_CRASH } from './stack-fixture.js';
import { peer, skipNote } from '../../helpers/peers.js';

// Under CI lldb is a required peer: these run (and fail without it) instead of skipping.
const HAS_LLDB = peer('lldb');

function lldb(dump: Buffer, commands = ['thread list', 'bt', 'image list']): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wer-sniff-triage-'));
  try {
    const file = path.join(dir, 'crash.dmp');
    writeFileSync(file, dump);
    const r = spawnSync('lldb', ['-b', '--core', file, ...commands.flatMap((c) => ['-o', c])], { timeout: 60_000 });
    return r.stdout.toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function agree(dump: Buffer, minFrames = 2): void {
  const out = lldb(dump);
  const sum = parseMinidump(dump);
  const e = sum.exception!;
  // the stopped thread and its exception
  const stop = /^\* thread #1: tid = (0x[0-9a-f]+),.*stop reason = Exception (0x[0-9a-f]+) encountered at address (0x[0-9a-f]+)/m.exec(out);
  expect(stop, out).not.toBeNull();
  expect(Number(stop![1])).toBe(e.threadId);
  expect(stop![2]).toBe(`0x${e.code}`);
  expect(BigInt(stop![3]!)).toBe(BigInt(e.address));
  expect([...out.matchAll(/thread #\d+: tid = (0x[0-9a-f]+)/g)].map((m) => Number(m[1]))).toEqual(sum.threads!.map((t) => t.id));
  // modules: base, path, and for RSDS modules the UUID (GUID-AGE)
  const images = [...out.matchAll(/^\[\s*\d+\]\s+(?:([0-9A-F-]{32,})\s+)?(0x[0-9a-f]+) (.+?)\s*$/gm)];
  expect(images.map((m) => [BigInt(m[2]!), m[3]])).toEqual(sum.modules.map((m) => [BigInt(m.base), m.name]));
  images.forEach((m, i) => {
    const d = sum.modules[i]!.debug;
    expect(m[1]?.replace(/-/g, '')).toBe(d ? `${d.guid}${d.age.toString(16).toUpperCase().padStart(8, '0')}` : undefined);
  });
  // lldb's unwinder follows the frame-pointer chain; our context and frame-pointer frames agree
  const bt = [...out.matchAll(/frame #\d+: (0x[0-9a-f]+)/g)].map((m) => BigInt(m[1]!));
  expect(bt.length).toBeGreaterThanOrEqual(minFrames);
  const ours = sum.stack!.frames.filter((f) => f.trust !== 'scan').map((f) => BigInt(f.address));
  expect(ours.slice(0, bt.length)).toEqual(bt.slice(0, ours.length));
}

describe(`lldb agrees with the triage decoding${skipNote('lldb')}`, () => {
  it.skipIf(!HAS_LLDB)('x64 with RSDS records, thread names and a process id', () => {
    const dump = writeMinidump(X64_CRASH);
    agree(dump);
    expect(lldb(dump)).toContain(`Process ${parseMinidump(dump).process!.id} stopped`);
  });

  it.skipIf(!HAS_LLDB)('x86 with an EBP chain in a Memory64ListStream', () => {
    agree(writeMinidump(X86_CRASH));
  });

  it.skipIf(!HAS_LLDB)('ARM64: exception, threads, modules and the PC (lldb unwinds no further here)', () => {
    const dump = writeMinidump(ARM64_CRASH);
    agree(dump, 1);
    expect(lldb(dump)).toContain('(aarch64) was loaded');
  });

  it.skipIf(!HAS_LLDB)('ARM64: our "link register" frame is the LR lldb reads from the context', () => {
    const dump = writeMinidump(ARM64_CRASH);
    const out = lldb(dump, ['register read lr']);
    const lr = /lr = (0x[0-9a-f]+)/.exec(out);
    expect(lr, out).not.toBeNull();
    const frame = parseMinidump(dump).stack!.frames[1]!;
    expect(frame.trust).toBe('link register');
    expect(BigInt(frame.address)).toBe(BigInt(lr![1]!));
  });

  it.skipIf(!HAS_LLDB)('x64: the last error we read at TEB+0x68 is the word lldb reads there', () => {
    const teb = 0x7ff5f0000000n;
    const data = Buffer.alloc(0x100);
    data.writeUInt32LE(0x7a, 0x68);
    const dump = writeMinidump({ ...X64_CRASH, teb, memory: [{ start: teb, data }] });
    const sum = parseMinidump(dump);
    const at = BigInt(sum.threads![0]!.teb) + 0x68n;
    const out = lldb(dump, [`memory read -s4 -fx -c1 0x${at.toString(16)}`]);
    const word = new RegExp(`0x${at.toString(16)}: (0x[0-9a-f]+)`).exec(out);
    expect(word, out).not.toBeNull();
    expect(sum.lastError).toMatchObject({ inDump: true, code: Number(word![1]) });
  });
});
