// One pass over an uploaded cabinet for everyone who wants it: the view's summary
// (domain/cab/cab-view.ts) and, for --save-dir, its files on disk (cab-files.ts), from a single
// extraction stream under a single budget — the CAB is inflated once, however many outputs ask.
// The cabinet is a Buffer, or a file (the upload spooled to disk: cab-spool.ts) read block by
// block. A large minidump goes to disk as it is extracted (into cab/ for --save-dir, else a
// temporary folder removed afterwards) and is summarised from there by reading only the ranges
// its directory points at: memory holds a block and a few pages, whatever the dump's size.
// Synchronous: runs on the CAB worker thread (cab-offload.ts), or where nothing serves
// sockets (tests, the fallback when no worker can start).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cab, CabFile } from '../../domain/cab/cab.js';
import { parseCabSource, type CabSource } from '../../domain/cab/cab-source.js';
import { extractCabStream, type ExtractEvent } from '../../domain/cab/cab-extract.js';
import { CAB_TEXT_HOLD_BYTES, CabViewBuilder, type CabView } from '../../domain/cab/cab-view.js';
import { CabDirWriter, type CabDirResult } from './cab-files.js';
import { fileSource, openWaiting, pagedFile } from './file-read.js';
import { earlyGc } from '../early-gc.js';

export interface CabInspection {
  view: CabView;
  /** What was written into `extractDir`, when one was given. */
  extracted?: CabDirResult;
}

export interface InspectOptions {
  /** Extract every file here (--save-dir's cab/). */
  extractDir?: string;
  /** Overwrite files already in extractDir (`cab --extract --force`). */
  overwrite?: boolean;
  /** Where a large minidump is spooled for its summary when there is no extractDir (default:
   * the system's temporary folder). */
  spoolDir?: string;
}

/** Inflated blocks are garbage once written and seen: collected every few MB of them, and
 * fully now and then (the inflater's per-block objects get promoted). Never on a thread that
 * serves sockets: this runs on the CAB worker, or in `cab`. */
const extractedGarbage = earlyGc({ minorEvery: 4 * 1024 * 1024, fullEvery: 32 * 1024 * 1024 });

/** Minidumps larger than this are summarised from disk rather than from memory. */
export const DUMP_SPOOL_BYTES = CAB_TEXT_HOLD_BYTES;

/** Inspects the cabinet in the file at `file` (a spooled upload). Its open waits out a full
 * descriptor table: the burst of clients that fills it is answered before its CABs are read. */
export function inspectCabFile(file: string, opts: InspectOptions = {}): CabInspection {
  const fd = openWaiting(file, 'r');
  try {
    return inspectCab(fileSource(fd), opts);
  } finally {
    fs.closeSync(fd);
  }
}

export function inspectCab(from: Buffer | CabSource, opts: InspectOptions = {}): CabInspection {
  const cab = parseCabSource(from);
  const writer = opts.extractDir ? new CabDirWriter(cab, opts.extractDir, opts.overwrite) : undefined;
  if (!cab.header) return { view: { cab, entries: [] }, ...(writer ? { extracted: writer.result } : {}) };
  const spool = writer ? undefined : new DumpSpool(cab, opts.spoolDir ?? os.tmpdir());
  const files = writer ?? spool!;
  const open: number[] = [];
  const view = new CabViewBuilder(cab, undefined, undefined, (f) => {
    const at = files.pathOf(f.index);
    if (!at) return undefined;
    const fd = openWaiting(at, 'r');
    open.push(fd);
    return pagedFile(fd);
  });
  try {
    // The writer wants every file; without one, only what the view decodes.
    const want = writer ? undefined : (f: CabFile) => view.wants(f);
    for (const ev of extractCabStream(from, cab, { want })) {
      // The file is complete on disk before the view's 'end' reads it.
      files.take(ev);
      view.take(ev);
      if (ev.type === 'data') extractedGarbage(ev.data.length);
      while (open.length) fs.closeSync(open.pop()!);
    }
  } finally {
    while (open.length) fs.closeSync(open.pop()!);
    writer?.abort();
    spool?.remove();
  }
  return { view: view.finish(), ...(writer ? { extracted: writer.result } : {}) };
}

/** Large minidumps written to a temporary folder as they are extracted (no --save-dir): a
 * file is spooled when it is larger than DUMP_SPOOL_BYTES and begins with "MDMP". */
class DumpSpool {
  private dir?: string;
  private writer?: CabDirWriter;
  private readonly chosen = new Set<number>();
  private readonly decided = new Set<number>();

  constructor(private readonly cab: Cab, private readonly root: string) {}

  take(ev: ExtractEvent): void {
    if (!this.decided.has(ev.file)) {
      this.decided.add(ev.file);
      const f = this.cab.files[ev.file]!;
      if (ev.type === 'data' && f.size > DUMP_SPOOL_BYTES && ev.data.length >= 4 && ev.data.toString('latin1', 0, 4) === 'MDMP') this.chosen.add(ev.file);
    }
    if (!this.chosen.has(ev.file)) return;
    if (!this.writer) {
      this.dir = fs.mkdtempSync(path.join(this.root, 'wer-sniff-dump-'));
      this.writer = new CabDirWriter(this.cab, this.dir);
    }
    this.writer.take(ev);
  }

  pathOf(index: number): string | undefined {
    return this.writer?.pathOf(index);
  }

  remove(): void {
    this.writer?.abort();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
