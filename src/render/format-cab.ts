// Terminal lines for a cabinet listing: a headline (files, folders and their compression, size,
// set membership), one row per file (size, date, attributes, name) and the problems. Names are
// untrusted and go through escapeControl. Deliberately no I/O and no extraction of its own: pass
// extractCab's result to show per-file errors.
import type { Cab, CabFolder } from '../domain/cab/cab.js';
import type { ExtractedFile } from '../domain/cab/cab-extract.js';
import type { Paint } from './paint.js';
import { escapeControl } from '../util/escape.js';
import { formatSize } from '../util/size.js';
import { maxOf } from '../util/append.js';

const METHOD_LABEL = { none: 'stored', mszip: 'MSZIP', quantum: 'Quantum', lzx: 'LZX', unknown: 'unknown' } as const;
// [MS-CAB] §2.3 attribs, shown like `ls`: readonly hidden system archive exec, then utf8 name.
const ATTR_LETTERS: [number, string][] = [[0x01, 'r'], [0x02, 'h'], [0x04, 's'], [0x20, 'a'], [0x40, 'x'], [0x80, 'u']];

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function methodLabel(f: CabFolder): string {
  const c = f.compression;
  if (c.method === 'lzx') return `LZX 2^${c.lzxWindowBits}`;
  if (c.method === 'unknown') return `unknown 0x${f.typeCompress.toString(16).padStart(4, '0')}`;
  return METHOD_LABEL[c.method];
}

export function formatAttribs(attribs: number): string {
  return ATTR_LETTERS.map(([bit, l]) => (attribs & bit ? l : '-')).join('');
}

export function formatCab(cab: Cab, paint: Paint, extracted?: ExtractedFile[]): string[] {
  const esc = (s: string): string => escapeControl(s, paint);
  const lines: string[] = [];
  const h = cab.header;
  if (!h) {
    lines.push(`${paint.accent('cabinet')}${paint.dim(' · unreadable')}`);
  } else {
    const methods = [...new Set(cab.folders.map(methodLabel))];
    const total = cab.files.reduce((n, f) => n + f.size, 0);
    const parts = [
      paint.accent('cabinet'),
      plural(cab.files.length, 'file') + (cab.files.length !== h.cFiles ? ` (header says ${h.cFiles})` : ''),
      plural(cab.folders.length, 'folder') + (methods.length ? ` (${methods.join(', ')})` : ''),
      `${formatSize(cab.length)}${total ? ` → ${formatSize(total)} unpacked` : ''}`,
    ];
    if (h.setID || h.iCabinet || h.prevCabinet !== undefined || h.nextCabinet !== undefined) {
      const links = [h.prevCabinet !== undefined ? `prev: ${esc(h.prevCabinet)}` : '',
        h.nextCabinet !== undefined ? `next: ${esc(h.nextCabinet)}` : ''].filter(Boolean).join(', ');
      parts.push(`set 0x${h.setID.toString(16).padStart(4, '0')} #${h.iCabinet}${links ? ` (${links})` : ''}`);
    }
    lines.push(parts.join(paint.dim(' · ')));
  }

  if (cab.files.length > 0) {
    const width = maxOf(cab.files.map((f) => String(f.size).length), 4);
    lines.push(paint.dim(`  ${'size'.padStart(width)}  date                 attrs   name`));
    cab.files.forEach((f, i) => {
      const err = extracted?.[i]?.error;
      const cont = f.continued ? paint.warn(` [continued ${f.continued}]`) : '';
      const note = err ? `  ${paint.err(`✗ ${err.code}`)}` : '';
      lines.push(`  ${String(f.size).padStart(width)}  ${paint.dim(f.date)}  ${formatAttribs(f.attribs)}  ${paint.value(esc(f.name))}${cont}${note}`);
    });
  }

  const errors = new Map<string, number>();
  for (const e of extracted ?? []) if (e.error) errors.set(e.error.message, (errors.get(e.error.message) ?? 0) + 1);
  for (const p of cab.problems) {
    const brush = p.code === 'not-a-cab' || p.code === 'truncated' || p.code === 'size-mismatch' ? paint.err : paint.warn;
    lines.push(`  ${brush(`! ${p.code}`)} ${esc(p.message)}`);
  }
  for (const [message, n] of errors) {
    lines.push(`  ${paint.err('✗')} ${esc(message)}${paint.dim(` (${plural(n, 'file')})`)}`);
  }
  return lines;
}
