// Finds file records that share bytes of a folder ([MS-CAB] §2.3 uoffFolderStart/cbFile):
// legal, never in a real WER cabinet, and how a few KB of records ask for gigabytes of output.
// Pure; parseCab (cab.ts) adds what it finds to the cabinet's problems.
import type { CabFile, CabProblem } from './cab.js';

/** Problem code: file records sharing bytes of a folder (never in a real WER cabinet). */
export const CAB_OVERLAP = 'overlapping-files';

/**
 * Files whose byte ranges in a folder overlap other files' ranges: one problem per folder.
 * Legal to extract (cabextract does), but it is how a few KB of records ask for gigabytes of
 * output, so the overlap is reported and the extractor counts every copy against its budget.
 */
export function overlapProblems(files: CabFile[]): CabProblem[] {
  const byFolder = new Map<number, CabFile[]>();
  for (const f of files) {
    if (f.folder === undefined || f.size === 0 || f.continued) continue;
    let list = byFolder.get(f.folder);
    if (!list) byFolder.set(f.folder, (list = []));
    list.push(f);
  }
  const out: CabProblem[] = [];
  for (const [folder, list] of byFolder) {
    list.sort((a, b) => a.uoffFolderStart - b.uoffFolderStart);
    let reach = 0, count = 0, again = 0;
    for (const f of list) {
      const start = f.uoffFolderStart, end = start + f.size;
      if (start < reach) {
        count++;
        again += Math.min(end, reach) - start;
      }
      reach = Math.max(reach, end);
    }
    if (count > 0) {
      out.push({ code: CAB_OVERLAP, message: `${count} file record${count === 1 ? '' : 's'} in folder ${folder} cover${count === 1 ? 's' : ''} bytes that other records already cover (${again} bytes again); every copy counts against the extraction limit` });
    }
  }
  return out;
}
