// Crash triage from the dump alone: crash reason and access kind, the crashing thread's stack
// (context → frame pointers → scan), CodeView ids, unloaded modules, thread names and process
// times, on dumps built by writeMinidump with contexts and stack memory.
import { describe, expect, it } from 'vitest';
import { MINIDUMP_CAPS, parseMinidump } from '../../../src/domain/minidump/minidump.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { formatMinidump } from '../../../src/render/format-minidump.js';
import { plainPaint } from '../../../src/render/paint.js';
import { ARM64, ARM64_CRASH, stackBytes, X64, X64_CRASH, X86, X86_CRASH } from './stack-fixture.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const frames = (buf: Buffer) => parseMinidump(buf).stack?.frames.map((f) => [f.text, f.trust]);

describe('the crashing thread\'s stack', () => {
  it('x64: RIP, the RBP chain, then scanned return addresses (offsets of return − 1)', () => {
    const sum = parseMinidump(writeMinidump(X64_CRASH));
    expect(sum.problems).toEqual([]);
    expect(sum.stack).toMatchObject({ threadId: 4242, arch: 'AMD64' });
    expect(sum.stack?.frames).toEqual([
      { address: '0x7ff6a125a2f4', trust: 'context', module: 'render.dll', offset: '0x1a2f4', text: 'render.dll+0x1a2f4' },
      { address: '0x7ff6a1245010', trust: 'frame pointer', module: 'render.dll', offset: '0x500f', text: 'render.dll+0x500f' },
      { address: '0x7ff6a0001234', trust: 'frame pointer', module: 'widget.exe', offset: '0x1233', text: 'widget.exe+0x1233' },
      { address: '0x7ffc1c017034', trust: 'scan', module: 'KERNEL32.DLL', offset: '0x17033', text: 'KERNEL32.DLL+0x17033' },
      { address: '0x7ffc1e04d61b', trust: 'scan', module: 'ntdll.dll', offset: '0x4d61a', text: 'ntdll.dll+0x4d61a' },
    ]);
  });

  it('x86: EIP, the EBP chain, a scan; memory from a Memory64ListStream', () => {
    const sum = parseMinidump(writeMinidump(X86_CRASH));
    expect(sum.problems).toEqual([]);
    expect(sum.streams.map((s) => s.name)).toContain('Memory64ListStream');
    expect(frames(writeMinidump(X86_CRASH))).toEqual([
      ['render.dll+0x1000', 'context'], ['render.dll+0x10ff', 'frame pointer'], ['app.exe+0x21ff', 'frame pointer'],
      ['kernel32.dll+0x32ff', 'frame pointer'], ['app.exe+0x4f', 'scan'],
    ]);
  });

  it('x64 without a usable RBP (a general register): scans from RSP', () => {
    const dump = writeMinidump({ ...X64_CRASH, exception: { ...X64_CRASH.exception, context: { ip: X64.render + 0x1a2f4n, sp: X64.stack + 0x100n, fp: 0x1234n } } });
    expect(frames(dump)).toEqual([
      ['render.dll+0x1a2f4', 'context'], ['render.dll+0x500f', 'scan'], ['widget.exe+0x1233', 'scan'],
      ['KERNEL32.DLL+0x17033', 'scan'], ['ntdll.dll+0x4d61a', 'scan'],
    ]);
  });

  it('ARM64: the PC names the module; LR is the caller (leaf function), then the X29 record chain', () => {
    const sum = parseMinidump(writeMinidump(ARM64_CRASH));
    expect(sum.system?.arch).toBe('ARM64');
    expect(sum.exception).toMatchObject({ module: { name: 'C:\\app\\arm.exe', offset: '0x120' }, access: { kind: 'execute', address: '0x7ff700000120' } });
    expect(sum.stack?.frames.map((f) => [f.text, f.trust])).toEqual([['arm.exe+0x120', 'context'], ['arm.exe+0x203', 'link register'], ['arm.exe+0x303', 'frame pointer']]);
  });

  it('ARM64: when the frame record already holds LR (a non-leaf function), that caller is listed once', () => {
    const stack = { start: ARM64.stack, data: stackBytes(0x100, 8, { 0x20: ARM64.stack + 0x40n, 0x28: ARM64.app + 0x204n, 0x40: 0n, 0x48: ARM64.app + 0x404n }) };
    const sum = parseMinidump(writeMinidump({ ...ARM64_CRASH, stack }));
    expect(sum.stack?.frames.map((f) => [f.text, f.trust])).toEqual([['arm.exe+0x120', 'context'], ['arm.exe+0x203', 'link register'], ['arm.exe+0x403', 'frame pointer']]);
  });

  it('ARM64: an LR outside every module (zero, garbage) is no frame', () => {
    const ex = { ...ARM64_CRASH.exception, context: { ...ARM64_CRASH.exception.context!, lr: 0n } };
    expect(frames(writeMinidump({ ...ARM64_CRASH, exception: ex }))).toEqual([['arm.exe+0x120', 'context'], ['arm.exe+0x303', 'frame pointer']]);
  });

  it('a stack full of return addresses stops at the frame cap; a frame chain pointing at itself ends', () => {
    const words: Record<number, bigint> = {};
    for (let o = 0; o < 0x10000; o += 8) words[o] = X64.render + 0x100n + BigInt(o);
    const full = parseMinidump(writeMinidump({ ...X64_CRASH, exception: { ...X64_CRASH.exception, context: { ip: 0n, sp: X64.stack, fp: 0n } }, stack: { start: X64.stack, data: stackBytes(0x10000, 8, words) } }));
    expect(full.stack?.frames).toHaveLength(MINIDUMP_CAPS.frames);
    const loop = parseMinidump(writeMinidump({ ...X64_CRASH, stack: { start: X64.stack, data: stackBytes(0x1000, 8, { 0x200: X64.stack + 0x200n, 0x208: X64.app + 0x10n }) } }));
    expect(loop.stack?.frames.map((f) => f.trust)).toEqual(['context', 'frame pointer']);
  });

  it('no stack memory: the context frame only; a cut context is a problem', () => {
    const none = parseMinidump(writeMinidump({ ...X64_CRASH, stack: undefined }));
    expect(none.stack?.frames.map((f) => f.text)).toEqual(['render.dll+0x1a2f4']);
    const dump = writeMinidump(X64_CRASH);
    const ctxRva = dump.readUInt32LE(dump.readUInt32LE(32 + 12 + 8) + 164);
    const cut = parseMinidump(dump.subarray(0, ctxRva + 100));
    expect(cut.stack).toBeUndefined();
    expect(cut.problems).toContainEqual(expect.objectContaining({ code: 'truncated', message: expect.stringContaining('exception ThreadContext at RVA') }));
  });

  it('memory lists claiming huge ranges or counts are clipped to the bytes present', () => {
    const dump = writeMinidump({ ...X86_CRASH, stack: undefined, memory: [X86_CRASH.stack!] }); // only in Memory64ListStream
    const dir = 32, n = dump.readUInt32LE(8);
    const m64 = [...Array(n).keys()].map((i) => dir + i * 12).find((e) => dump.readUInt32LE(e) === 9)!;
    const rva = dump.readUInt32LE(m64 + 8);
    dump.writeBigUInt64LE(1n << 40n, rva + 16 + 8); // DataSize of the only range: 1 TiB
    const sum = parseMinidump(dump);
    expect(sum.stack?.frames.map((f) => f.text)).toEqual(['render.dll+0x1000', 'render.dll+0x10ff', 'app.exe+0x21ff', 'kernel32.dll+0x32ff', 'app.exe+0x4f']);
    dump.writeBigUInt64LE(0xffffffffffffffffn, rva); // NumberOfMemoryRanges
    const t0 = cpuMs();
    const many = parseMinidump(dump);
    expect(cpuMs() - t0).toBeLessThan(1_000);
    expect(many.problems.map((p) => p.code)).toEqual(['stream-too-small']);
    expect(many.stack?.frames).toHaveLength(5);
  });

  it('a Stack descriptor pointing past the end of the dump reads nothing outside it', () => {
    const dump = writeMinidump(X64_CRASH);
    const tl = dump.readUInt32LE(32 + 3 * 12 + 8);
    dump.writeUInt32LE(dump.length - 16, tl + 4 + 36); // Stack.Memory.Rva: 16 bytes before the end
    const sum = parseMinidump(dump);
    expect(sum.stack?.frames[0]!.trust).toBe('context');
    expect(sum.stack!.frames.length).toBeLessThanOrEqual(5);
  });
});

describe('crash facts', () => {
  const sum = parseMinidump(writeMinidump(X64_CRASH));

  it('access violation kind and address', () => {
    expect(sum.exception).toMatchObject({ code: 'c0000005', codeName: 'access violation', address: '0x7ff6a125a2f4', access: { kind: 'write', address: '0x0' } });
    expect(parseMinidump(writeMinidump(X86_CRASH)).exception?.access).toEqual({ kind: 'read', address: '0x10' });
    const inpage = parseMinidump(writeMinidump({ ...X64_CRASH, exception: { ...X64_CRASH.exception, code: 0xc0000006, parameters: [0n, 0x1000n, 0xc000009cn] } }));
    expect(inpage.exception).toMatchObject({ codeName: 'in-page error', access: { kind: 'read', address: '0x1000' } });
  });

  it('CodeView: PDB name, GUID, age and the symbol-server key; Breakpad code ids', () => {
    expect(sum.modules[0]).toMatchObject({
      codeId: '65F1A2B3200000',
      debug: { format: 'RSDS', pdb: 'D:\\build\\widget.pdb', guid: '3F2504E04F8911D39A0C0305E82C3301', age: 2, key: 'widget.pdb/3F2504E04F8911D39A0C0305E82C33012/widget.pdb' },
    });
    expect(sum.modules[1]!.debug?.key).toBe('render.pdb/0123456789ABCDEF0123456789ABCDEF1A/render.pdb');
    expect(sum.modules[3]).toMatchObject({ codeId: '5A1B2C3Dbf000' });
    expect(sum.modules[3]!.debug).toBeUndefined();
  });

  it('threads with names, process id, create time and uptime, unloaded modules', () => {
    expect(sum.threadCount).toBe(3);
    expect(sum.threads?.map((t) => [t.id, t.name])).toEqual([[4242, 'RenderThread'], [4246, undefined], [4250, 'Worker \x1b[31m']]);
    expect(sum.threads?.[0]!.stack).toEqual({ start: '0xe8f3bff000', size: 0x1000 });
    expect(sum.process).toEqual({ id: 7312, created: '2024-03-13T17:40:00Z', uptimeSeconds: 331, userSeconds: 12, kernelSeconds: 3 });
    expect(sum.unloadedModules).toEqual([{ name: 'C:\\Program Files\\Widget\\plugin.dll', base: '0x7ff6b0000000', size: 0x40000, timeDateStamp: 0x65000000 }]);
    expect(sum.exception?.unloadedModule).toBeUndefined();
  });

  it('a crash inside an unloaded module is noted', () => {
    const s = parseMinidump(writeMinidump({ ...X64_CRASH, exception: { ...X64_CRASH.exception, address: 0x7ff6b0001000n, parameters: [8n, 0x7ff6b0001000n] } }));
    expect(s.exception?.module).toBeUndefined();
    expect(s.exception?.unloadedModule).toEqual({ name: 'C:\\Program Files\\Widget\\plugin.dll', offset: '0x1000' });
    expect(s.exception?.access).toEqual({ kind: 'execute', address: '0x7ff6b0001000' });
  });

  it('the x86 dump: 32-bit code ids and no unloaded list', () => {
    const s = parseMinidump(writeMinidump(X86_CRASH));
    expect(s.modules.map((m) => m.codeId)).toEqual(['5E00000010000', '5E00000120000', '5E000002100000']);
    expect(s.unloadedModules).toBeUndefined();
    expect(s.stack?.arch).toBe('x86');
    expect(X86.stack).toBe(0x19f000n);
  });
});

describe('the crashing thread\'s last error (TEB LastErrorValue)', () => {
  const teb = 0x7ff5f0000000n;
  const tebBytes = (at: number, code: number): Buffer => {
    const b = Buffer.alloc(0x100);
    b.writeUInt32LE(code, at);
    return b;
  };

  it('x64: TEB+0x68, named when known', () => {
    const sum = parseMinidump(writeMinidump({ ...X64_CRASH, teb, memory: [{ start: teb, data: tebBytes(0x68, 5) }] }));
    expect(sum.lastError).toEqual({ threadId: 4242, inDump: true, code: 5, name: 'ERROR_ACCESS_DENIED' });
  });

  it('x86: TEB+0x34; an unknown code keeps its number only', () => {
    const t = 0x7efdd000n;
    const sum = parseMinidump(writeMinidump({ ...X86_CRASH, teb: t, memory: [{ start: t, data: tebBytes(0x34, 0x2af9) }] }));
    expect(sum.lastError).toEqual({ threadId: X86_CRASH.exception.threadId, inDump: true, code: 0x2af9 });
  });

  it('shown under the exception line, in words', () => {
    const text = (buf: Buffer): string => formatMinidump(parseMinidump(buf), plainPaint).join('\n');
    expect(text(writeMinidump({ ...X64_CRASH, teb, memory: [{ start: teb, data: tebBytes(0x68, 5) }] }))).toContain('  last error 5 (0x00000005) ERROR_ACCESS_DENIED');
    expect(text(writeMinidump({ ...X64_CRASH, teb }))).toContain('  last error not in dump (its TEB memory was not captured)');
  });

  it('a TEB whose memory was not captured: not in dump; no TEB at all: nothing said', () => {
    expect(parseMinidump(writeMinidump({ ...X64_CRASH, teb })).lastError).toEqual({ threadId: 4242, inDump: false });
    expect(parseMinidump(writeMinidump(X64_CRASH)).lastError).toBeUndefined();
  });
});
