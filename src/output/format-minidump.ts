// Terminal lines for a minidump summary: one headline ("minidump · time · AMD64 ×8 · Windows
// 10.0.19045 · exception c0000005 access violation at 0x… in render.dll+0x1a2f4 (thread 4242) ·
// 37 modules · 12 threads"), then the modules around the faulting address, then problems.
// Module names and strings are untrusted and go through escapeControl. Deliberately no I/O.
import { moduleAt, type MinidumpModule, type MinidumpSummary } from '../decode/wer/minidump.js';
import type { Paint } from './paint.js';
import { escapeControl } from './escape.js';
import { formatSize } from './size.js';
import { maxOf } from './append.js';

/** How many modules to show on each side of the faulting one. */
const NEIGHBOURS = 2;
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** EXCEPTION_ACCESS_VIOLATION parameters: [0] = 0 read, 1 write, 8 execute (DEP); [1] = address. */
function accessDetail(params: string[]): string {
  const kind = { '0x0': 'reading', '0x1': 'writing', '0x8': 'executing' }[params[0] ?? ''];
  return kind && params[1] ? ` ${kind} ${params[1]}` : '';
}

function exceptionText(sum: MinidumpSummary, paint: Paint, esc: (s: string) => string): string | undefined {
  const e = sum.exception;
  if (!e) return undefined;
  const name = e.codeName ? ` ${e.codeName}${e.code === 'c0000005' ? accessDetail(e.parameters) : ''}` : '';
  const where = e.module ? ` in ${paint.value(`${esc(e.module.name.replace(/^.*[\\/]/, ''))}+${e.module.offset}`)}` : '';
  return `${paint.err(`exception ${e.code}${name}`)} at ${e.address}${where} (thread ${e.threadId})`;
}

/** Modules sorted by base, the faulting one (or the gap the address falls in) in the middle. */
function nearFault(sum: MinidumpSummary): { modules: MinidumpModule[]; hit?: MinidumpModule } {
  if (!sum.exception || sum.modules.length === 0) return { modules: [] };
  const sorted = [...sum.modules].sort((a, b) => (BigInt(a.base) < BigInt(b.base) ? -1 : 1));
  const addr = BigInt(sum.exception.address);
  const hit = moduleAt(sorted, addr)?.module;
  let at = hit ? sorted.indexOf(hit) : sorted.findIndex((m) => BigInt(m.base) > addr);
  if (at < 0) at = sorted.length;
  const from = Math.max(0, at - NEIGHBOURS);
  const modules = sorted.slice(from, at + (hit ? NEIGHBOURS + 1 : NEIGHBOURS));
  return hit ? { modules, hit } : { modules };
}

export function formatMinidump(sum: MinidumpSummary, paint: Paint): string[] {
  const esc = (s: string): string => escapeControl(s, paint);
  const parts = [paint.accent('minidump')];
  if (sum.header) parts.push(sum.header.time);
  const s = sum.system;
  if (s) {
    parts.push(`${s.arch} ×${s.processors}`);
    parts.push(`Windows ${s.os.major}.${s.os.minor}.${s.os.build}${s.servicePack ? ` ${esc(s.servicePack)}` : ''}`);
  }
  const ex = exceptionText(sum, paint, esc);
  if (ex) parts.push(ex);
  if (sum.header) parts.push(plural(sum.modules.length, 'module'));
  if (sum.threadCount !== undefined) parts.push(plural(sum.threadCount, 'thread'));
  const lines = [parts.join(paint.dim(' · '))];

  const near = nearFault(sum);
  if (near.modules.length > 0) {
    lines.push(paint.dim(near.hit ? '  modules around the fault:' : '  no module contains the fault; nearest:'));
    const width = maxOf(near.modules.map((m) => m.base.length));
    for (const m of near.modules) {
      const mark = m === near.hit ? paint.err('▶') : ' ';
      const version = m.version ? `  ${m.version}` : '';
      lines.push(`  ${mark} ${m.base.padStart(width)}  ${formatSize(m.size).padStart(9)}  ${paint.value(esc(m.name))}${version}  ${paint.dim(m.time)}`);
    }
  }
  if (sum.partial?.skipped) lines.push(paint.dim(`  ${sum.partial.skipped} structures lie beyond the first ${formatSize(sum.partial.held)} read for this summary (of ${formatSize(sum.partial.size)})`));
  for (const p of sum.problems) {
    const brush = p.code === 'not-a-minidump' ? paint.err : paint.warn;
    lines.push(`  ${brush(`! ${p.code}`)} ${esc(p.message)}`);
  }
  return lines;
}
