// One pass over an uploaded cabinet for everyone who wants it: the view's summary
// (decode/cab-view.ts) and, for --save-dir, its files on disk (cab-files.ts), from a single
// extraction stream under a single budget — the CAB is inflated once, however many outputs ask.
// Synchronous: runs on the CAB worker thread (capture/cab-offload.ts), or where nothing serves
// sockets (tests, the fallback when no worker can start).
import { parseCab } from '../../domain/cab/cab.js';
import { extractCabStream } from '../../domain/cab/cab-extract.js';
import { CabViewBuilder, type CabView } from '../../domain/cab/cab-view.js';
import { CabDirWriter, type CabDirResult } from './cab-files.js';

export interface CabInspection {
  view: CabView;
  /** What was written into `extractDir`, when one was given. */
  extracted?: CabDirResult;
}

export function inspectCab(buf: Buffer, opts: { extractDir?: string } = {}): CabInspection {
  const cab = parseCab(buf);
  const view = new CabViewBuilder(cab);
  const writer = opts.extractDir ? new CabDirWriter(cab, opts.extractDir) : undefined;
  if (!cab.header) return { view: { cab, entries: [] }, ...(writer ? { extracted: writer.result } : {}) };
  try {
    // The writer wants every file; without one, only what the view decodes.
    const want = writer ? undefined : (f: Parameters<CabViewBuilder['wants']>[0]) => view.wants(f);
    for (const ev of extractCabStream(buf, cab, { want })) {
      view.take(ev);
      writer?.take(ev);
    }
  } finally {
    writer?.abort();
  }
  return { view: view.finish(), ...(writer ? { extracted: writer.result } : {}) };
}
