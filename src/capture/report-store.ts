// `--save-dir`: one folder per report — level1.http (exact request bytes), report.xml
// (decoded, UTF-8), report.json, response.txt (what was answered), report.cab (streamed to disk
// as it arrives, never held whole) and cab/ (extracted files). Every file is written to a temp
// name and renamed. A failing disk is reported once per report and never stops the capture.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { drainOf } from '../output/drain.js';
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, Exchange, RequestHead, Sink } from '../model.js';
import type { BodyObserver } from './listener.js';
import { decodeMessage } from '../decode/message.js';
import { isLevel1Request, MAX_ISSUED } from '../wer/cer-server.js';
import { extractCabToDir } from '../wer/cab-files.js';
import { folderName } from './folder-name.js';
import { SyncFileStream } from '../output/sync-file.js';
import { escapeControl } from '../output/escape.js';

/** Client bytes kept per connection to write level1.http exactly. A level-1 body is a few KiB;
 * past this, level1.http is rebuilt from the head and the de-chunked body instead. */
const WINDOW_LIMIT = 4 * 1024 * 1024;

interface Window {
  /** Stream offset of the first byte in `chunks`. */
  start: number;
  chunks: Buffer[];
  length: number;
}

interface Upload {
  dir: string;
  stream: SyncFileStream;
  part: string;
  failed: boolean;
}

export class ReportStore implements Sink, BodyObserver {
  private readonly windows = new Map<number, Window>();
  private readonly folders = new Map<string, string>();
  private readonly uploads = new Map<Exchange, Upload>();
  private readonly pending = new Set<Promise<unknown>>();
  private unmatched = 0;

  constructor(private readonly root: string, private readonly onError: (message: string) => void, private readonly now = Date.now) {}

  /** The folder an exchange's report is saved in (level-1 report or its PUT), if any. */
  folderOf(ex: Exchange): string | undefined {
    return (ex.reportId ? this.folders.get(ex.reportId) : undefined) ?? this.uploads.get(ex)?.dir;
  }

  /** Checks the folder can be created and written before anything is accepted. */
  static async open(root: string, onError: (message: string) => void): Promise<ReportStore> {
    await fsp.mkdir(root, { recursive: true });
    const probe = path.join(root, `.wer-sniff-probe-${process.pid}`);
    await fsp.writeFile(probe, '');
    await fsp.rm(probe);
    return new ReportStore(root, onError);
  }

  chunk(c: Chunk, _conn: ConnectionInfo): void {
    if (c.source !== 'client') return;
    let w = this.windows.get(c.connId);
    if (!w) this.windows.set(c.connId, (w = { start: 0, chunks: [], length: 0 }));
    w.chunks.push(c.bytes);
    w.length += c.bytes.length;
    if (w.length > WINDOW_LIMIT) {
      // Something big (a CAB) is streaming: it goes to disk through onBodyData instead.
      w.start += w.length;
      w.chunks = [];
      w.length = 0;
    }
  }

  onRequestHead(ex: Exchange, head: RequestHead): void {
    if (head.method !== 'PUT') return;
    const known = ex.reportId ? this.folders.get(ex.reportId) : undefined;
    const dir = known ?? path.join(this.root, folderName(this.now(), ['unmatched-upload'], ++this.unmatched));
    const part = path.join(dir, `report.cab.${process.pid}.part`);
    const upload: Upload = { dir, part, stream: undefined as unknown as SyncFileStream, failed: false };
    try {
      fs.mkdirSync(dir, { recursive: true });
      upload.stream = new SyncFileStream(part);
    } catch (e) {
      this.fail(`cannot save the upload in ${dir}`, e);
      return;
    }
    upload.stream.on('error', (e) => {
      if (!upload.failed) this.fail(`saving ${part} failed`, e);
      upload.failed = true;
    });
    this.uploads.set(ex, upload);
  }

  onBodyData(ex: Exchange, source: Direction, data: Buffer): void {
    const up = source === 'client' ? this.uploads.get(ex) : undefined;
    if (up && !up.failed) up.stream.write(data);
  }

  waitDrain(): Promise<void> | null {
    for (const up of this.uploads.values()) {
      const wait = drainOf(up.stream);
      if (wait) return wait;
    }
    return null;
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'close') this.windows.delete(ev.connection.id);
    if (ev.type === 'request' && ev.exchange.request) {
      const ex = ev.exchange;
      const bytes = this.takeRequestBytes(ex);
      if (isLevel1Request(ex.request!.head) && ex.reportId) this.saveLevel1(ex, bytes);
      const up = this.uploads.get(ex);
      if (up) {
        this.uploads.delete(ex);
        this.track(this.finishUpload(ex, up));
      }
    }
    if (ev.type === 'response' && ev.exchange.reportId && ev.exchange.response && ev.exchange.request && isLevel1Request(ev.exchange.request.head)) {
      const dir = this.folders.get(ev.exchange.reportId);
      const res = ev.exchange.response;
      if (dir) this.track(this.write(dir, 'response.txt', Buffer.concat([res.head.raw, res.body.data ?? Buffer.alloc(0)])));
    }
  }

  async close(): Promise<void> {
    for (const [ex, up] of this.uploads) {
      this.uploads.delete(ex);
      this.track(this.finishUpload(ex, up));
    }
    while (this.pending.size) await Promise.all(this.pending);
  }

  /** The exact wire bytes of the request just completed, if still in the window. */
  private takeRequestBytes(ex: Exchange): Buffer | undefined {
    const w = this.windows.get(ex.connection.id);
    const req = ex.request!;
    if (!w) return undefined;
    const all = Buffer.concat(w.chunks, w.length);
    const bytes = req.start >= w.start && req.end <= w.start + w.length ? all.subarray(req.start - w.start, req.end - w.start) : undefined;
    const keep = all.subarray(Math.max(0, req.end - w.start));
    w.chunks = keep.length ? [keep] : [];
    w.length = keep.length;
    w.start = Math.max(w.start, req.end);
    return bytes;
  }

  /** Creates the folder at once (the PUT that follows must find it), then writes in the background. */
  private saveLevel1(ex: Exchange, bytes: Buffer | undefined): void {
    const req = ex.request!;
    const dec = decodeMessage(req);
    const r = dec.report;
    const n = Number(ex.reportId!.replace(/\D/g, '')) || 0;
    let dir: string;
    try {
      dir = this.uniqueDir(folderName(req.endTs, [r?.machine?.name, r?.application?.name ?? r?.parameters[0]?.value, r?.event?.eventType], n));
    } catch (e) {
      this.fail(`cannot create a report folder in ${this.root}`, e);
      return;
    }
    this.folders.set(ex.reportId!, dir);
    // The CER server forgets DumpFile paths beyond MAX_ISSUED; so can we (memory stays flat).
    if (this.folders.size > MAX_ISSUED) this.folders.delete(this.folders.keys().next().value!);
    this.track(this.write(dir, 'level1.http', bytes ?? Buffer.concat([req.head.raw, req.body.data ?? Buffer.alloc(0)])));
    if (dec.text !== undefined) this.track(this.write(dir, 'report.xml', Buffer.from(dec.text, 'utf8')));
    if (r) this.track(this.write(dir, 'report.json', Buffer.from(JSON.stringify({ reportId: ex.reportId, peer: ex.connection.peer, report: r }, null, 2) + '\n')));
  }

  private async finishUpload(ex: Exchange, up: Upload): Promise<void> {
    await new Promise<void>((resolve) => up.stream.end(() => resolve()));
    if (up.failed) return;
    const complete = ex.request?.body.complete ?? false;
    const final = path.join(up.dir, complete ? 'report.cab' : 'report.cab.incomplete');
    try {
      await fsp.rename(up.part, final);
    } catch (e) {
      this.fail(`cannot finish ${final}`, e);
      return;
    }
    const data = ex.request?.body.data;
    if (complete && data && data.toString('latin1', 0, 4) === 'MSCF') {
      try {
        const res = await extractCabToDir(data, path.join(up.dir, 'cab'));
        // Names come from the CAB (the wire): escaped before they reach the terminal.
        for (const err of res.errors) this.onError(`report ${ex.reportId ?? '(unmatched)'}: ${escapeControl(err.name)}: ${escapeControl(err.message)}`);
      } catch (e) {
        this.fail(`extracting the CAB into ${path.join(up.dir, 'cab')} failed`, e);
      }
    }
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

  /** Atomic write: temp file in the same folder, then rename. */
  private async write(dir: string, name: string, data: Buffer): Promise<void> {
    const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
    try {
      await fsp.writeFile(tmp, data);
      await fsp.rename(tmp, path.join(dir, name));
    } catch (e) {
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
    const hint = err.code === 'ENOSPC' ? ' — the disk is full' : err.code === 'EACCES' || err.code === 'EPERM' ? ' — check permissions' : '';
    this.onError(`${what}: ${err.code ?? err.message}${hint}; capture continues`);
  }
}
