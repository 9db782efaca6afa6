// Walks the crashing thread's stack without symbols or unwind tables, the way Breakpad and
// rust-minidump fall back when they have none: the context's instruction pointer first, then
// the frame-pointer chain ([fp] = caller's fp, [fp + pointer] = return address; the same
// record on x86 EBP, x64 RBP and ARM64 X29) while it stays plausible, else a scan of the stack
// words above the stack pointer for the first value inside a module (after which the chain
// is tried again: an x86 EBP often survives a frame without one); on ARM64 the link register
// X30 gives the second frame. Every read goes through
// Memory (the dump's captured ranges); depth and scan length are capped (MINIDUMP_CAPS).
import { baseName } from './codeview.js';
import type { CpuContext } from './context.js';
import type { Memory } from './memory.js';
import type { ModuleTable } from './modules.js';
import { MINIDUMP_CAPS, hex, type MinidumpFrame } from './types.js';

type Trust = MinidumpFrame['trust'];

function frameOf(modules: ModuleTable | undefined, address: bigint, trust: Trust): MinidumpFrame {
  // a caller's return address points after its call; the call itself is at address − 1
  const instruction = trust === 'context' ? address : address - 1n;
  const hit = modules?.find(instruction);
  if (!hit || !modules) return { address: hex(address), trust, text: hex(address) };
  const module = baseName(modules.module(hit.index).name);
  return { address: hex(address), trust, module, offset: hex(hit.offset), text: `${module}+${hex(hit.offset)}` };
}

export function walkStack(ctx: CpuContext, memory: Memory, modules: ModuleTable | undefined): MinidumpFrame[] {
  const ptr = BigInt(ctx.pointer);
  const mask = ctx.pointer === 4 ? 0xffffffffn : 0xffffffffffffffffn;
  const inModule = (a: bigint): boolean => a > 0n && modules?.find(a - 1n) !== undefined;
  const stack = memory.rangeOf(ctx.sp);
  const onStack = (a: bigint): boolean => !!stack && a >= stack.start && a + 2n * ptr <= stack.end;
  const frames: MinidumpFrame[] = [frameOf(modules, ctx.ip, 'context')];
  let sp = ctx.sp;
  let fp: bigint | undefined = ctx.fp;
  // ARM64: the caller's return address is in X30 until the callee saves it (always so in a
  // leaf function): it is the second frame, as rust-minidump and Breakpad take it. When the
  // callee has saved it already, the first frame record holds the same address: not twice.
  const lr = ctx.lr !== undefined && inModule(ctx.lr) ? ctx.lr : undefined;
  if (lr !== undefined) frames.push(frameOf(modules, lr, 'link register'));
  let first = true;
  while (frames.length < MINIDUMP_CAPS.frames) {
    let next: { ret: bigint; trust: Trust } | undefined;
    // frame pointer: a record above the stack pointer whose saved return lands in a module
    if (fp !== undefined && fp >= sp && fp % ptr === 0n && onStack(fp)) {
      const savedFp = memory.read(fp, ctx.pointer), ret = memory.read(fp + ptr, ctx.pointer);
      if (savedFp !== undefined && ret !== undefined && inModule(ret)) {
        next = { ret, trust: 'frame pointer' };
        sp = (fp + 2n * ptr) & mask;
        fp = savedFp > fp ? savedFp : undefined;
      }
    }
    if (!next) {
      for (let k = 0; k < MINIDUMP_CAPS.scanWords; k++) {
        const at = sp + BigInt(k) * ptr;
        const word = memory.read(at, ctx.pointer);
        if (word === undefined) break;
        if (inModule(word)) {
          next = { ret: word, trust: 'scan' };
          sp = at + ptr;
          break;
        }
      }
    }
    if (!next) break;
    const duplicate = first && next.ret === lr;
    first = false;
    if (!duplicate) frames.push(frameOf(modules, next.ret, next.trust));
  }
  return frames;
}
