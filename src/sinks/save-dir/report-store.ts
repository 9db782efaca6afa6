// `--save-dir`: one folder per report — level1.http (exact request bytes), report.xml
// (decoded, UTF-8), report.json, response.txt (what was answered), level2.head.http (the PUT's
// exact head) and level2.response.http (its answer), report.cab (streamed to disk as it
// arrives, never held whole) and cab/ (extracted files). Every file is written to a temp
// name and renamed only once written and closed without error; a failed one is removed. Files
// are opened through a FileSlots queue (a bounded number at once; EMFILE waited out), so a
// burst of reports is delayed, not lost. A failing disk is reported once per file and never
// stops the capture; `lost` counts the reports not saved whole (the run then exits 1).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BodyObserver, CaptureEvent, Direction, Exchange, RequestHead, Sink } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { MAX_ISSUED } from '../../pipeline/conversation.js';
import { SUMMARY_FAILED, sharedCabJobs, type CabJobs } from '../../pipeline/workers/cab-offload.js';
import { folderName } from './folder-name.js';
import { wireBytes } from '../../pipeline/http/wire-bytes.js';
import { FileSlots, isOutOfDescriptors } from './file-slots.js';
import { UploadFile } from './upload-file.js';
import { escapeControl } from '../../util/escape.js';
import { inWords } from '../../errors.js';
import { minidumpFiles } from '../../render/minidump-files.js';

/** Extraction errors printed per report; the rest are counted. */
const MAX_ERROR_LINES = 5;

interface Upload {
  dir: string;
  file: UploadFile;
  /** report.cab, report.2.cab, …: settled once, when first asked or when the upload ends. */
  name?: string;
}

/** Disk failures that leave a partly written extracted file behind (removed again). */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO']);

export class ReportStore implements Sink, BodyObserver {
  private readonly folders = new Map<string, string>();
  private readonly uploads = new Map<Exchange, Upload>();
  /** The first PUT to each folder, until its answer is saved as level2.response.http. */
  private readonly putDirs = new WeakMap<Exchange, string>();
  /** Where finished (or named) uploads went: weak, so memory follows the live exchanges. */
  private readonly savedAs = new WeakMap<Exchange, string>();
  /** CABs already named in a folder (complete, incomplete): the next is report.<n>.cab. */
  private readonly cabCounts = new Map<string, { complete: number; incomplete: number }>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Report folders (or reports without one) missing a file they should hold. */
  private readonly lostReports = new Set<string>();
  private unmatched = 0;
  private uploadSeq = 0;
  /** Folders whose cab/ an upload already extracts into. */
  private readonly extracting = new Set<string>();
  readonly slots: FileSlots;

  /** `cabs` extracts each CAB into cab/ in the same pass that summarises it for the view. */
  constructor(private readonly root: string, private readonly onError: (message: string) => void, private readonly now = Date.now, slots?: FileSlots, private readonly cabs: CabJobs = sharedCabJobs()) {
    this.slots = slots ?? new FileSlots({
      onExhausted: (code) => onError(`out of file descriptors (${code}) while saving reports: their files wait in a queue until some close — raise the limit (ulimit -n) if this repeats; capture continues`),
    });
  }

  /** Where an upload's CAB is saved (renamed there once written), for outputs that mention a
   * body too large to inline: the name is settled now if it was not yet, so it is the one
   * the file gets. Undefined before the upload has ended, or when it is not saved. */
  savedPathOf(ex: Exchange): string | undefined {
    const done = this.savedAs.get(ex);
    if (done) return done;
    const up = this.uploads.get(ex);
    if (!up || !ex.request) return undefined;
    up.name ??= this.cabName(up.dir, ex.request.body.complete);
    const at = path.join(up.dir, up.name);
    this.savedAs.set(ex, at);
    return at;
  }

  /** The folder an exchange's report is saved in (level-1 report or its PUT), if any. */
  folderOf(ex: Exchange): string | undefined {
    return (ex.reportId ? this.folders.get(ex.reportId) : undefined) ?? this.uploads.get(ex)?.dir;
  }

  /** Checks the folder can be created and written before anything is accepted. */
  static async open(root: string, onError: (message: string) => void, slots?: FileSlots): Promise<ReportStore> {
    await fsp.mkdir(root, { recursive: true });
    const probe = path.join(root, `.wer-sniff-probe-${process.pid}`);
    await fsp.writeFile(probe, '');
    await fsp.rm(probe);
    return new ReportStore(root, onError, Date.now, slots);
  }

  /** How many reports were not saved whole (a file failed, or no folder could be made). */
  get lost(): number {
    return this.lostReports.size;
  }

  onRequestHead(ex: Exchange, head: RequestHead): void {
    if (head.method !== 'PUT') return;
    const known = ex.reportId ? this.folders.get(ex.reportId) : undefined;
    let dir = known;
    try {
      dir ??= this.uniqueDir(folderName(this.now(), ['unmatched-upload'], ++this.unmatched));
    } catch (e) {
      this.lostReports.add(`upload ${++this.uploadSeq}`);
      this.fail(`cannot save the upload in ${this.root}`, e);
      return;
    }
    // A temp file per upload: two PUTs to one DumpFile must not write into the same file.
    const part = path.join(dir, `report.cab.${process.pid}-${++this.uploadSeq}.part`);
    this.uploads.set(ex, { dir, file: new UploadFile(part, this.slots) });
    // The first upload to a folder is extracted into its cab/ by the one inflation the view
    // shares; a duplicate PUT to the same DumpFile is kept (report.2.cab) but not extracted.
    if (!this.extracting.has(dir)) {
      // The PUT's head (and below, its answer) beside its CAB, so the folder reopens as the
      // whole conversation.
      this.track(this.write(dir, 'level2.head.http', Buffer.from(head.raw)));
      this.putDirs.set(ex, dir);
      this.extracting.add(dir);
      if (this.extracting.size > MAX_ISSUED) this.extracting.delete(this.extracting.values().next().value!);
      this.cabs.extractTo(ex, path.join(dir, 'cab'));
    }
  }

  onBodyData(ex: Exchange, source: Direction, data: Buffer): void {
    if (source === 'client') this.uploads.get(ex)?.file.write(data);
  }

  /** An upload whose file is behind holds back its own connection (`connId`), not the other
   * clients: their reports are small and written apart. Without `connId`, any upload behind. */
  waitDrain(connId?: number): Promise<void> | null {
    for (const [ex, up] of this.uploads) {
      if (connId !== undefined && ex.connection.id !== connId) continue;
      const wait = up.file.waitDrain();
      if (wait) return wait;
    }
    return null;
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'request' && ev.exchange.request) {
      const ex = ev.exchange;
      if (ex.wer?.role === 'report' && ex.reportId) this.saveLevel1(ex);
      const up = this.uploads.get(ex);
      if (up) {
        this.uploads.delete(ex);
        this.track(this.finishUpload(ex, up));
      }
    }
    if (ev.type === 'response' && ev.exchange.reportId && ev.exchange.wer?.role === 'report' && ev.exchange.response) {
      const dir = this.folders.get(ev.exchange.reportId);
      const res = ev.exchange.response;
      if (dir) this.track(this.write(dir, 'response.txt', wireBytes(res) ?? Buffer.concat([res.head.raw, res.body.data ?? Buffer.alloc(0)])));
    }
    if (ev.type === 'response' && ev.exchange.response && this.putDirs.has(ev.exchange)) {
      const res = ev.exchange.response;
      this.track(this.write(this.putDirs.get(ev.exchange)!, 'level2.response.http', Buffer.concat([res.head.raw, res.body.data ?? Buffer.alloc(0)])));
      this.putDirs.delete(ev.exchange);
    }
  }

  async close(): Promise<void> {
    for (const [ex, up] of this.uploads) {
      this.uploads.delete(ex);
      this.track(this.finishUpload(ex, up));
    }
    while (this.pending.size) await Promise.all(this.pending);
  }

  /** Creates the folder at once (the PUT that follows must find it), then writes in the background. */
  private saveLevel1(ex: Exchange): void {
    const req = ex.request!;
    const dec = decodedOf(req);
    const r = dec.report;
    const n = Number(ex.reportId!.replace(/\D/g, '')) || 0;
    let dir: string;
    try {
      dir = this.uniqueDir(folderName(req.endTs, [r?.machine?.name, r?.application?.name ?? r?.parameters[0]?.value, r?.event?.eventType], n));
    } catch (e) {
      this.lostReports.add(`report ${ex.reportId}`);
      this.fail(`cannot create a report folder in ${this.root}`, e);
      return;
    }
    this.folders.set(ex.reportId!, dir);
    // The CER server forgets DumpFile paths beyond MAX_ISSUED; so can we (memory stays flat).
    if (this.folders.size > MAX_ISSUED) this.folders.delete(this.folders.keys().next().value!);
    // The exact wire bytes (the model keeps them); a chunked report too large for the
    // Recorder's window is rebuilt from its head and de-chunked body.
    this.track(this.write(dir, 'level1.http', wireBytes(req) ?? Buffer.concat([req.head.raw, req.body.data ?? Buffer.alloc(0)])));
    if (dec.text !== undefined) this.track(this.write(dir, 'report.xml', Buffer.from(dec.text, 'utf8')));
    if (r) this.track(this.write(dir, 'report.json', Buffer.from(JSON.stringify({ reportId: ex.reportId, peer: ex.connection.peer, report: r }, null, 2) + '\n')));
  }

  /** The upload's file is renamed only once it is written and closed without error; a
   * failed one is removed (it must not keep a full disk full). The first complete CAB of a
   * folder is report.cab, later ones report.2.cab, … (duplicate PUTs are kept, not mixed). */
  private async finishUpload(ex: Exchange, up: Upload): Promise<void> {
    try {
      await up.file.finish();
    } catch (e) {
      this.lostReports.add(up.dir);
      this.fail(`saving the upload ${path.join(up.dir, 'report.cab')} failed (partial file removed)`, e);
      return;
    }
    const complete = ex.request?.body.complete ?? false;
    const final = path.join(up.dir, up.name ?? this.cabName(up.dir, complete));
    this.savedAs.set(ex, final);
    try {
      await fsp.rename(up.file.path, final);
    } catch (e) {
      up.file.discard();
      this.lostReports.add(up.dir);
      this.fail(`cannot finish ${final}`, e);
      return;
    }
    // The one inflation of this CAB (shared with the view) writes cab/; here only its errors.
    const job = complete ? this.cabs.start(ex) : undefined;
    const cabDir = path.join(up.dir, 'cab');
    if (job) {
      try {
        const done = await job;
        const errors = done.extracted?.errors ?? [];
        // The report's dumps summarised beside cab/: minidump.json (all of it) and minidump.txt.
        if (path.basename(final) === 'report.cab') for (const f of minidumpFiles(done.view)) this.track(this.write(up.dir, f.name, f.data));
        // A file that failed on a full disk or without descriptors was removed by the writer,
        // and a CAB never summarised (its worker could not run it) has no cab/ at all: the
        // report is missing a file it should hold.
        if (errors.some((err) => DISK_ERRORS.has(err.code) || isOutOfDescriptors(err) || err.code === SUMMARY_FAILED)) this.lostReports.add(up.dir);
        // Names come from the CAB (the wire): escaped before they reach the terminal. After a
        // stopped extraction every later file has the same error: a few lines, then a count.
        for (const err of errors.slice(0, MAX_ERROR_LINES)) this.onError(`report ${ex.reportId ?? '(unmatched)'}: ${escapeControl(err.name)}: ${escapeControl(err.message)}`);
        if (errors.length > MAX_ERROR_LINES) this.onError(`report ${ex.reportId ?? '(unmatched)'}: ${errors.length - MAX_ERROR_LINES} more files not extracted`);
      } catch (e) {
        this.lostReports.add(up.dir);
        this.fail(`extracting the CAB into ${cabDir} failed`, e);
      }
    }
  }

  /** report.cab (report.cab.incomplete) for a folder's first, report.<n>.cab after that. */
  private cabName(dir: string, complete: boolean): string {
    let counts = this.cabCounts.get(dir);
    if (!counts) {
      this.cabCounts.set(dir, (counts = { complete: 0, incomplete: 0 }));
      if (this.cabCounts.size > MAX_ISSUED) this.cabCounts.delete(this.cabCounts.keys().next().value!);
    }
    const n = complete ? ++counts.complete : ++counts.incomplete;
    const name = n === 1 ? 'report.cab' : `report.${n}.cab`;
    return complete ? name : `${name}.incomplete`;
  }

  private uniqueDir(name: string): string {
    for (let i = 0; ; i++) {
      const dir = path.join(this.root, i ? `${name}~${i}` : name);
      try {
        fs.mkdirSync(dir);
        return dir;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }

  /** Atomic write: temp file in the same folder (in a file slot), then rename. */
  private async write(dir: string, name: string, data: Buffer): Promise<void> {
    const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
    try {
      await this.slots.run(() => fsp.writeFile(tmp, data));
      await fsp.rename(tmp, path.join(dir, name));
    } catch (e) {
      this.lostReports.add(dir);
      this.fail(`cannot write ${path.join(dir, name)}`, e);
      await fsp.rm(tmp, { force: true }).catch(() => {});
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.fail('saving a report failed', e)).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  private fail(what: string, e: unknown): void {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'ENOSPC' ? ' — free some disk space'
      : err.code === 'EACCES' || err.code === 'EPERM' ? ' — check permissions'
      : err.code === 'ENOTDIR' || err.code === 'EEXIST' ? ' — --save-dir must be a folder (a file stands in its path)'
      : isOutOfDescriptors(err) ? ' — out of file descriptors for too long; raise the limit (ulimit -n)'
      : err.code === 'ENAMETOOLONG' ? ' — the path is too long; use a shorter --save-dir' : '';
    this.onError(`${what}: ${inWords(err)}${hint}; capture continues`);
  }
}
