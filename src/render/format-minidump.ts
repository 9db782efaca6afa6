// Terminal lines for a minidump summary: one headline ("minidump · time · AMD64 ×8 · Windows
// 10.0.19045 · exception c0000005 access violation at 0x… in render.dll+0x1a2f4 (thread 4242) ·
// 37 modules · 12 threads · up 5m 31s"), a note when the address lies in an unloaded module,
// the top frames of the crashing thread, the modules around the faulting address, problems.
// The full stack is in the JSON summary (MinidumpSummary.stack).
// Module names and strings are untrusted and go through escapeControl. Deliberately no I/O.
import { moduleAt, type MinidumpModule, type MinidumpSummary } from '../domain/minidump/minidump.js';
import type { Paint } from './paint.js';
import { escapeControl } from '../util/escape.js';
import { formatSize } from '../util/size.js';
import { groupThousands } from '../util/count.js';
import { append, maxOf } from '../util/append.js';

/** How many modules to show on each side of the faulting one. */
const NEIGHBOURS = 2;
const plural = (n: number, one: string): string => `${groupThousands(n)} ${one}${n === 1 ? '' : 's'}`;

/** '37 modules', or for a capped or name-sharing list '160,000 modules (1 distinct name, 1,000 listed)'. */
function moduleCountText(sum: MinidumpSummary): string {
  const total = sum.moduleCount ?? sum.modules.length;
  const notes = [
    ...(sum.moduleNames !== undefined ? [plural(sum.moduleNames, 'distinct name')] : []),
    ...(sum.modules.length < total ? [`${groupThousands(sum.modules.length)} listed`] : []),
  ];
  return `${plural(total, 'module')}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** Frames shown under the headline. */
const STACK_LINES = 5;
const ACCESS_VERBS = { read: 'reading', write: 'writing', execute: 'executing (DEP)' } as const;

/** 331 → '5m 31s'; 90061 → '1d 1h 1m'. */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60, sec = seconds % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m ${sec}s` : `${sec}s`;
}

function stackLines(sum: MinidumpSummary, paint: Paint, esc: (s: string) => string): string[] {
  const st = sum.stack;
  if (!st || st.frames.length === 0) return [];
  const name = sum.threads?.find((t) => t.id === st.threadId)?.name;
  const lines = [paint.dim(`  stack of thread ${st.threadId}${name !== undefined ? ` (${esc(name)})` : ''}:`)];
  const shown = st.frames.slice(0, STACK_LINES);
  const width = maxOf(shown.map((f) => esc(f.text).length));
  shown.forEach((f, i) => lines.push(`    ${String(i).padStart(2)}  ${paint.value(esc(f.text).padEnd(width))}  ${paint.dim(f.trust)}`));
  if (st.frames.length > shown.length) lines.push(paint.dim(`    … ${plural(st.frames.length - shown.length, 'more frame')} (--json lists them)`));
  return lines;
}

function exceptionText(sum: MinidumpSummary, paint: Paint, esc: (s: string) => string): string | undefined {
  const e = sum.exception;
  if (!e) return undefined;
  const access = e.access ? ` ${ACCESS_VERBS[e.access.kind]} ${e.access.address}` : '';
  const name = e.codeName ? ` ${e.codeName}${access}` : '';
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
  if (sum.header) parts.push(moduleCountText(sum));
  if (sum.threadCount !== undefined) parts.push(plural(sum.threadCount, 'thread'));
  if (sum.process?.uptimeSeconds !== undefined) parts.push(`up ${formatUptime(sum.process.uptimeSeconds)}`);
  const m = sum.memory;
  // A full or heap dump: how much of the process it holds (from its descriptor list alone).
  if (m && m.list === 'Memory64List') parts.push(`${formatSize(m.bytes)} of memory in ${plural(m.ranges, 'range')}`);
  const lines = [parts.join(paint.dim(' · '))];
  const le = sum.lastError;
  if (le) lines.push(`  ${paint.key('last error')} ${le.inDump && le.code !== undefined ? `${le.code} (0x${le.code.toString(16).padStart(8, '0')})${le.name ? ` ${le.name}` : ''}` : paint.dim('not in dump (its TEB memory was not captured)')}`);
  const gone = sum.exception?.unloadedModule;
  if (gone) lines.push(`  ${paint.warn('!')} the address is in unloaded ${paint.value(`${esc(gone.name.replace(/^.*[\\/]/, ''))}+${gone.offset}`)}: code ran after its module was unloaded`);
  append(lines, stackLines(sum, paint, esc));

  const near = nearFault(sum);
  if (!near.hit && sum.exception?.module) {
    // the faulting module is one of the records beyond the listed ones
    lines.push(paint.dim(`  the faulting module is not among the ${groupThousands(sum.modules.length)} listed`));
  } else if (near.modules.length > 0) {
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
