// Fuzz target: the CAB reader (src/domain/cab/cab.ts), extractor (cab-extract.ts, mszip.ts, lzx-*.ts),
// the CAB view with its file summaries (domain/cab/cab-view.ts) and formatters. Invariants: nothing
// throws; an extracted file has exactly its listed size and either data or an error, never both;
// safeExtractPath keeps every name inside the target folder; the view is terminal-safe; all
// files together never exceed the expansion budget (the floor, or the ratio times the input).
import { parseCab } from '../../../domain/cab/cab.js';
import { extractCab, safeExtractPath, EXPANSION_FLOOR_BYTES, EXPANSION_RATIO } from '../../../domain/cab/cab-extract.js';
import { parseCabView } from '../../../domain/cab/cab-view.js';
import { formatCabView } from '../../../render/format-cab-view.js';
import { formatCab } from '../../../render/format-cab.js';
import { createPaint } from '../../../render/paint.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateCab, mutateMinidump } from '../mutate-formats.js';
import { checkLines, fail } from '../check.js';
import { isCabFile, type FuzzTarget } from '../target.js';

const paints = [createPaint(false), createPaint(true)] as const;

/** A relative path with `/` separators that cannot leave the folder it is joined to. */
export function checkExtractPath(name: string): void {
  const p = safeExtractPath(name);
  const segs = p.split('/');
  if (p === '' || p.startsWith('/') || segs.some((s) => s === '' || s === '.' || s === '..')) fail(`unsafe extract path ${JSON.stringify(p)} from ${JSON.stringify(name)}`);
  if (/[\\:*?"<>|\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(p)) fail(`extract path ${JSON.stringify(p)} holds a forbidden character`);
  if (segs.some((s) => /[. ]$/.test(s))) fail(`extract path segment ends in a dot or space: ${JSON.stringify(p)}`);
}

export const cabTarget: FuzzTarget = {
  name: 'cab',
  about: 'CAB listing, extraction (stored, MSZIP, LZX, checksums), CAB view and formatters, safe extract paths',
  seeds: (files) => files.filter(isCabFile).map((f) => f.bytes),
  mutators: [...BYTE_MUTATORS, mutateCab, mutateCab, mutateCab, mutateCab, mutateMinidump],
  run(input) {
    const cab = parseCab(input);
    const files = cab.header ? extractCab(input, cab) : [];
    files.forEach((f, i) => {
      if (f.data && f.error) fail(`file ${i} has both data and an error`);
      if (!f.data && !f.error) fail(`file ${i} has neither data nor an error`);
      if (f.data && f.data.length !== f.size) fail(`file ${i} extracted to ${f.data.length} bytes, listed as ${f.size}`);
    });
    const total = files.reduce((n, f) => n + (f.data?.length ?? 0), 0);
    if (total > Math.max(EXPANSION_FLOOR_BYTES, EXPANSION_RATIO * input.length)) fail(`${total} bytes extracted from ${input.length}: beyond the expansion budget`);
    for (const f of cab.files) checkExtractPath(f.name);
    const view = parseCabView(input);
    for (const paint of paints) {
      checkLines(formatCabView(view, paint), paint.enabled, 'formatted CAB view');
      checkLines(formatCab(cab, paint, files), paint.enabled, 'formatted CAB listing');
    }
  },
};
