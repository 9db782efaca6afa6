// Terminal lines for what a CAB holds: the listing (format-cab.ts), then each file's summary —
// metadata like a level-1 report, the minidump's crash facts, a text file's first lines.
import type { CabView, CabEntrySummary } from '../domain/cab/cab-view.js';
import type { WerMetadata } from '../domain/report/metadata.js';
import type { ReportWerSummary } from '../domain/report/report-wer.js';
import type { WerDataFileSummary } from '../domain/report/wer-data-files.js';
import type { Paint } from './paint.js';
import { formatCab } from './format-cab.js';
import { formatMinidump } from './format-minidump.js';
import { escapeControl } from '../util/escape.js';
import { append } from '../util/append.js';

export function formatCabView(view: CabView, paint: Paint): string[] {
  const lines = formatCab(view.cab, paint, view.entries.map((e) => ({ name: e.name, size: e.size, error: e.error })));
  for (const e of view.entries) {
    const body = formatEntry(e, paint);
    if (body.length) append(lines, [`${paint.bold('┌')} ${paint.value(escapeControl(e.name, paint))}`, ...body.map((l) => `${paint.bold('│')} ${l}`)]);
  }
  return lines;
}

function formatEntry(e: CabEntrySummary, p: Paint): string[] {
  const out: string[] = [];
  if (e.metadata) append(out, formatMetadata(e.metadata, p));
  else if (e.minidump) append(out, formatMinidump(e.minidump, p));
  else if (e.text) {
    if (e.reportWer) append(out, formatReportWer(e.reportWer, p));
    if (e.dataFile) append(out, formatDataFile(e.dataFile, p));
    out.push(p.dim(`${e.text.charset} (${e.text.rule}) · ${e.text.totalLines} lines`));
    e.text.lines.forEach((l, i) => {
      const cut = e.text!.cutChars?.[i] ?? 0;
      out.push(escapeControl(l, p) + (cut > 0 ? p.dim(` … (${cut} more characters)`) : ''));
    });
    if (e.text.totalLines > e.text.lines.length) out.push(p.dim(`… ${e.text.totalLines - e.text.lines.length} more lines`));
    if (e.text.unreadBytes) out.push(p.dim(`… and ${e.text.unreadBytes} more bytes, not read for the preview`));
  }
  for (const n of e.notes) out.push(p.warn(escapeControl(n, p)));
  return out;
}

function formatReportWer(r: ReportWerSummary, p: Paint): string[] {
  const esc = (s: string) => escapeControl(s, p);
  const head = [r.eventType && esc(r.eventType), r.friendlyName && esc(r.friendlyName), r.eventTime].filter(Boolean);
  const lines = [`${p.accent('Report.wer')}${head.length ? ` · ${head.join(' · ')}` : ''}`];
  if (r.appName || r.appPath) lines.push(`${p.key('App')}       ${esc([r.appName, r.appPath].filter(Boolean).join(' · '))}`);
  for (const s of r.signature) lines.push(`  ${p.key(esc(s.name))}  ${p.value(esc(s.value))}`);
  for (const d of r.dynamic) lines.push(`  ${p.dim(esc(d.name))}  ${esc(d.value)}`);
  return lines;
}

/** How many listed items are shown: the rest are counted (JSON has the lists). */
const SHOWN = 5;

function formatDataFile(d: WerDataFileSummary, p: Paint): string[] {
  const esc = (s: string) => escapeControl(s, p);
  const more = (shown: number, all: number): string[] => (all > shown ? [p.dim(`  … ${all - shown} more`)] : []);
  if (d.kind === 'file-versions') {
    const lines = [`${p.accent('File versions')} · ${d.files} file${d.files === 1 ? '' : 's'} named`];
    if (d.faultingModule) lines.push(`${p.key('Faulting')}  ${p.value(esc(d.faultingModule))}`);
    return lines;
  }
  if (d.kind === 'wql') {
    const lines = [`${p.accent('WQL results')} · ${d.objects} object${d.objects === 1 ? '' : 's'} in ${d.classes.length} class${d.classes.length === 1 ? '' : 'es'}`];
    for (const c of d.classes.slice(0, SHOWN)) lines.push(`  ${p.key(esc(c.name))}  ${c.objects} object${c.objects === 1 ? '' : 's'} · ${c.properties} properties`);
    return [...lines, ...more(Math.min(SHOWN, d.classes.length), d.classes.length)];
  }
  const lines = [`${p.accent('Registry')} · ${d.keyCount} key${d.keyCount === 1 ? '' : 's'}`];
  for (const k of d.keys.slice(0, SHOWN)) lines.push(`  ${p.key(esc(k.path))}  ${k.values} value${k.values === 1 ? '' : 's'}`);
  return [...lines, ...more(Math.min(SHOWN, d.keys.length), d.keyCount)];
}

function formatMetadata(m: WerMetadata, p: Paint): string[] {
  const esc = (s: string) => escapeControl(s, p);
  const os = m.os;
  const lines = [p.accent('WER metadata')];
  const osParts = [os.WindowsNTVersion && `Windows NT ${esc(os.WindowsNTVersion)}`, os.Build && `build ${esc(os.Build)}`,
    os.Product && esc(os.Product), os.Edition && esc(os.Edition), os.Architecture && esc(os.Architecture)].filter(Boolean);
  if (osParts.length) lines.push(`${p.key('OS')}        ${osParts.join(' · ')}`);
  if (os.BuildString) lines.push(`${p.key('Build')}     ${esc(os.BuildString)}`);
  if (m.locale) lines.push(`${p.key('Locale')}    ${esc(m.locale)}`);
  if (m.eventType) lines.push(`${p.key('Event')}     ${esc(m.eventType)}`);
  for (const prm of m.parameters) {
    lines.push(`  P${prm.id}  ${p.value(esc(prm.value))}${prm.meaning ? p.dim(`  ${esc(prm.meaning)}`) : ''}`);
  }
  for (const d of m.dynamic) lines.push(`  ${p.key(esc(d.name))}  ${esc(d.value)}`);
  return lines;
}
