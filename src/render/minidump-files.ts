// The minidump summaries of a CAB as files for a --save-dir report folder: `minidump.json` (the
// whole summary: every frame, module and thread it lists) and `minidump.txt` (the view's text,
// no colour), beside the extracted files. A CAB with several dumps gets minidump-2.json, … for
// the others. Text only: the caller writes them.
import type { CabView } from '../domain/cab/cab-view.js';
import { formatMinidump } from './format-minidump.js';
import { plainPaint } from './paint.js';
import { escapeControl } from '../util/escape.js';

export interface NamedFile { name: string; data: Buffer }

export function minidumpFiles(view: CabView): NamedFile[] {
  const out: NamedFile[] = [];
  let n = 0;
  for (const e of view.entries) {
    if (!e.minidump) continue;
    const base = ++n === 1 ? 'minidump' : `minidump-${n}`;
    out.push({ name: `${base}.json`, data: Buffer.from(JSON.stringify({ file: e.name, size: e.size, minidump: e.minidump }, null, 2) + '\n') });
    // The file name comes from the CAB (the wire): escaped like everything else in the text.
    const lines = [`${escapeControl(e.name)} (${e.size} bytes)`, ...formatMinidump(e.minidump, plainPaint)];
    out.push({ name: `${base}.txt`, data: Buffer.from(lines.join('\n') + '\n') });
  }
  return out;
}
