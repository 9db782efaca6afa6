// Writes a cabinet's files into a directory as extraction streams them (cab-extract.ts): each
// block's bytes are appended to their file at once, so memory stays one block whatever the
// file sizes, and disk stays within the extraction budget. safeExtractPath makes every name
// relative; node:path keeps it portable (no shell). Never overwrites an existing file unless
// asked, never writes outside `dir`, and leaves nothing behind for a file that ends with an
// error (its partial bytes are removed). Synchronous fs: it runs on the CAB worker thread or
// in the `cab` command, never on a thread that serves sockets.
import fs from 'node:fs';
import path from 'node:path';
import type { Cab } from '../../domain/cab/cab.js';
import { parseCab } from '../../domain/cab/cab.js';
import { extractCabStream, safeExtractPath, type ExtractEvent } from '../../domain/cab/cab-extract.js';
import { openWaiting } from './file-read.js';

export interface CabDirError {
  /** The name as stored in the cabinet. */
  name: string;
  /** Where it would have gone, when that got decided. */
  path?: string;
  code: string;
  message: string;
}

export interface CabDirResult {
  /** Absolute paths of the files written, in the order they were completed. */
  written: string[];
  errors: CabDirError[];
  /** Bytes written to disk (files that failed included, though they are removed again). */
  bytes: number;
}

/** Files held open at once: overlapping records can make thousands of files grow together. */
const MAX_OPEN = 16;

interface Target { path: string; fd?: number; created: boolean; failed: boolean }

export class CabDirWriter {
  private readonly root: string;
  private readonly targets = new Map<number, Target>();
  private readonly openOrder: Target[] = [];
  readonly result: CabDirResult = { written: [], errors: [], bytes: 0 };
  /** Where each file completed without error was written, by index in cab.files. */
  private readonly done = new Map<number, string>();

  constructor(private readonly cab: Cab, dir: string, private readonly overwrite = false) {
    this.root = path.resolve(dir);
  }

  take(ev: ExtractEvent): void {
    const file = this.cab.files[ev.file]!;
    const t = this.targets.get(ev.file) ?? this.start(ev.file);
    if (ev.type === 'data') {
      if (!t.failed) this.append(file.name, t, ev.data);
      return;
    }
    this.targets.delete(ev.file);
    if (!t.failed && !ev.error && !t.created) this.append(file.name, t, Buffer.alloc(0)); // an empty file
    this.closeFd(t);
    if (ev.error) {
      if (t.created) fs.rmSync(t.path, { force: true });
      if (!t.failed) this.result.errors.push({ name: file.name, code: ev.error.code, message: ev.error.message });
    } else if (!t.failed) {
      this.result.written.push(t.path);
      this.done.set(ev.file, t.path);
    }
  }

  /** The path file `index` was written to, once it ended without error. */
  pathOf(index: number): string | undefined {
    return this.done.get(index);
  }

  private start(index: number): Target {
    const name = this.cab.files[index]!.name;
    const t: Target = { path: path.join(this.root, safeExtractPath(name)), created: false, failed: false };
    // Belt and braces: safeExtractPath already keeps names relative.
    const rel = path.relative(this.root, t.path);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      t.failed = true;
      this.result.errors.push({ name, path: t.path, code: 'unsafe-path', message: 'name resolves outside the target directory' });
    }
    this.targets.set(index, t);
    return t;
  }

  private append(name: string, t: Target, data: Buffer): void {
    try {
      if (t.fd === undefined) {
        if (!t.created) fs.mkdirSync(path.dirname(t.path), { recursive: true });
        t.fd = openWaiting(t.path, t.created ? 'a' : this.overwrite ? 'w' : 'wx');
        t.created = true;
        this.openOrder.push(t);
        if (this.openOrder.length > MAX_OPEN) this.closeFd(this.openOrder[0]!);
      }
      for (let off = 0; off < data.length;) off += fs.writeSync(t.fd, data, off, data.length - off);
      this.result.bytes += data.length;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.closeFd(t);
      if (t.created) fs.rmSync(t.path, { force: true });
      t.failed = true;
      const message = e.code === 'EEXIST' ? 'file exists (not overwritten)' : e.message;
      this.result.errors.push({ name, path: t.path, code: e.code ?? 'io-error', message });
    }
  }

  private closeFd(t: Target): void {
    if (t.fd === undefined) return;
    fs.closeSync(t.fd);
    t.fd = undefined;
    this.openOrder.splice(this.openOrder.indexOf(t), 1);
  }

  /** Closes whatever is still open (only after an exception mid-way). */
  abort(): void {
    for (const t of this.targets.values()) {
      this.closeFd(t);
      if (t.created) fs.rmSync(t.path, { force: true });
    }
    this.targets.clear();
  }
}

/** Extracts every file of `buf` into `dir`, streaming (see CabDirWriter). */
export async function extractCabToDir(buf: Buffer, dir: string, opts: { overwrite?: boolean } = {}): Promise<CabDirResult> {
  const cab = parseCab(buf);
  const writer = new CabDirWriter(cab, dir, opts.overwrite);
  if (!cab.header) return writer.result;
  try {
    for (const ev of extractCabStream(buf, cab)) writer.take(ev);
  } finally {
    writer.abort();
  }
  return writer.result;
}
