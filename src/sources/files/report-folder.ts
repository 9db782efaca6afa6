// `--save-dir` report folders as input: a folder reopens as the conversation it saved, on one
// connection — level1.http (the report, exact bytes), response.txt (the answer), then
// level2.head.http (the PUT's exact head) with report.cab (or report.cab.incomplete) as its
// body, streamed from disk, and level2.response.http (the PUT's answer). A save-dir root stands for all its report folders, oldest first.
// Folders from before level2.head.http get a PUT head rebuilt from the DumpFile the answer
// gave (said in a note). A saved message whose head says chunked but whose body was kept
// de-chunked is framed again as one chunk (noted): the framing is not in the folder.
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionInfo, Direction } from '../../model.js';
import { WerSniffError } from '../../errors.js';
import { createFramer } from '../../pipeline/http/framer.js';
import { rechunk } from './har-bodies.js';
import type { ChunkTarget, ConnectionTarget } from './chunk-target.js';

export const LEVEL1_FILE = 'level1.http';
export const RESPONSE_FILE = 'response.txt';
export const LEVEL2_HEAD_FILE = 'level2.head.http';
export const LEVEL2_RESPONSE_FILE = 'level2.response.http';
const READ_BYTES = 256 * 1024;

/** A folder `--save-dir` wrote for one report (or for an upload no report matched). */
export function isReportFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, LEVEL1_FILE)) || fs.existsSync(path.join(dir, LEVEL2_HEAD_FILE));
}

/** When the folder's report came: the UTC time its name starts with, else level1.http's mtime. */
export function folderTime(folder: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(path.basename(folder));
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  for (const f of [LEVEL1_FILE, LEVEL2_HEAD_FILE]) {
    try {
      return fs.statSync(path.join(folder, f)).mtimeMs;
    } catch {
      // try the next
    }
  }
  return 0;
}

/** The report folders `dir` stands for: itself when it is one, else its subfolders that are,
 * oldest first (then by report number). Throws (exit 2) when there are none. */
export function reportFolders(dir: string): string[] {
  if (isReportFolder(dir)) return [dir];
  const folders = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isReportFolder(path.join(dir, e.name)))
    .map((e) => ({ dir: path.join(dir, e.name), t: folderTime(path.join(dir, e.name)), n: reportNumber(e.name) }));
  folders.sort((a, b) => a.t - b.t || a.n - b.n || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  if (folders.length === 0) throw new WerSniffError('not-a-report-folder', `${dir} holds no ${LEVEL1_FILE}: it is neither a --save-dir report folder nor a save-dir — give one of those, or capture files`, 2);
  return folders.map((f) => f.dir);
}

/** The `_<n>` a folder name ends with (before a `~<k>` suffix). */
function reportNumber(name: string): number {
  const m = /_(\d+)(?:~\d+)?$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** The folder's first CAB: report.cab, else report.cab.incomplete. */
export function savedCabFile(folder: string): { file: string; complete: boolean; size: number } | undefined {
  for (const [name, complete] of [['report.cab', true], ['report.cab.incomplete', false]] as const) {
    const file = path.join(folder, name);
    try {
      return { file, complete, size: fs.statSync(file).size };
    } catch {
      // not this one
    }
  }
  return undefined;
}

export interface FolderOptions {
  /** Also the PUT and its CAB (default true; `ls` needs only the report and its answer). */
  upload?: boolean;
  onNote(message: string): void;
}

/** Feeds one report folder as connection `id`. */
export async function feedReportFolder(folder: string, target: ChunkTarget, id: number, opts: FolderOptions): Promise<void> {
  const ts = folderTime(folder);
  const read = (name: string): Buffer | undefined => {
    const file = path.join(folder, name);
    return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  };
  const level1 = read(LEVEL1_FILE);
  const response = read(RESPONSE_FILE);
  const info: ConnectionInfo = { id, peer: folder, local: 'save-dir', openedAt: ts, bytesFromClient: 0, bytesFromServer: 0 };
  const conn = target.open(info, 'live');
  try {
    let rechunked = 0;
    const push = (source: Direction, bytes: Buffer | undefined, at = ts) => {
      if (!bytes) return;
      const framed = asFramed(bytes, source);
      if (framed !== bytes) rechunked++;
      conn.push(source, framed, at);
    };
    push('client', level1);
    push('server', response);
    const put = opts.upload === false ? undefined : await feedUpload(folder, conn, target, level1, response, opts);
    if (put) {
      rechunked += put.rechunked;
      push('server', read(LEVEL2_RESPONSE_FILE));
    }
    if (rechunked) opts.onNote(`${folder}: ${rechunked} chunked message${rechunked === 1 ? '' : 's'} framed again as one chunk (the folder keeps bodies de-chunked)`);
    conn.end('client', ts);
    conn.end('server', ts);
    conn.close(undefined, ts);
  } catch (err) {
    conn.close((err as NodeJS.ErrnoException).code ?? (err as Error).message, ts);
    throw err;
  }
}

/** The PUT: level2.head.http (or one rebuilt from the answer's DumpFile) and the saved CAB,
 * streamed; undefined when there is no CAB (the upload never came, or was not saved: its bytes
 * are unknown, so no PUT is made up). `rechunked`: 1 when its body was framed again as one chunk. */
async function feedUpload(folder: string, conn: ConnectionTarget, target: ChunkTarget, level1: Buffer | undefined, response: Buffer | undefined, opts: FolderOptions): Promise<{ rechunked: number } | undefined> {
  const cab = savedCabFile(folder);
  const headFile = path.join(folder, LEVEL2_HEAD_FILE);
  let head: Buffer | undefined = fs.existsSync(headFile) ? fs.readFileSync(headFile) : undefined;
  if (!cab) {
    if (head) opts.onNote(`${folder}: ${LEVEL2_HEAD_FILE} but no report.cab: the upload was not saved, so its PUT is left out`);
    return undefined;
  }
  const at = cab ? fs.statSync(cab.file).mtimeMs : folderTime(folder);
  if (!head) {
    const dump = response && /(?:^|\n)DumpFile=([^\r\n]*)/.exec(bodyOf(response).toString('latin1'))?.[1];
    if (!dump || !cab.complete) {
      opts.onNote(`${folder}: ${path.basename(cab.file)} left out: the folder has no ${LEVEL2_HEAD_FILE} (saved by an older wer-sniff) and ${dump ? 'the upload is incomplete' : 'the answer gave no DumpFile'}, so its PUT cannot be rebuilt`);
      return undefined;
    }
    const host = level1 && /\r\nHost:[ \t]*([^\r\n]*)/i.exec(level1.subarray(0, headLength(level1)).toString('latin1'))?.[1];
    head = Buffer.from(`PUT ${dump} HTTP/1.1\r\n${host ? `Host: ${host}\r\n` : ''}Content-Length: ${cab.size}\r\n\r\n`, 'latin1');
    opts.onNote(`${folder}: no ${LEVEL2_HEAD_FILE} (saved by an older wer-sniff): the PUT's head is rebuilt from the answer's DumpFile`);
  }
  const chunked = /\r\nTransfer-Encoding:[^\r\n]*chunked/i.test(head.toString('latin1'));
  const announced = /\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n/i.exec(head.toString('latin1'));
  if (!chunked && cab.complete && announced && Number(announced[1]) !== cab.size) {
    // A complete report.cab of another size than its head announced (the folder was edited):
    // the file wins, or the PUT would frame as something else.
    const at = announced.index + announced[0].indexOf(announced[1]!);
    head = Buffer.concat([head.subarray(0, at), Buffer.from(String(cab.size)), head.subarray(at + announced[1]!.length)]);
    opts.onNote(`${folder}: report.cab has ${cab.size} bytes, ${LEVEL2_HEAD_FILE} announced ${announced[1]}: its Content-Length is set to the file's size`);
  }
  conn.push('client', head, at);
  if (chunked) conn.push('client', Buffer.from(`${cab.size.toString(16)}\r\n`), at);
  for await (const chunk of fs.createReadStream(cab.file, { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
    conn.push('client', chunk, at);
    const wait = target.backpressure();
    if (wait) await wait;
  }
  if (chunked && cab.complete) conn.push('client', Buffer.from('\r\n0\r\n\r\n'), at);
  return { rechunked: chunked ? 1 : 0 };
}

function headLength(msg: Buffer): number {
  const i = msg.indexOf('\r\n\r\n');
  return i < 0 ? msg.length : i + 4;
}

function bodyOf(msg: Buffer): Buffer {
  return msg.subarray(headLength(msg));
}

/** A saved message as it frames: unchanged when it frames whole; when its head says chunked
 * and the body after it was kept de-chunked, the body framed again as one chunk. */
function asFramed(bytes: Buffer, source: Direction): Buffer {
  const framer = createFramer({ mode: source === 'client' ? 'request' : 'response', source });
  let end: { complete: boolean; offset: number; framing: string } | undefined;
  for (const ev of [...framer.push(bytes), ...framer.end()]) {
    if (ev.type === 'end' && !end) end = ev;
  }
  if (!end || (end.complete && end.offset === bytes.length) || end.framing !== 'chunked') return bytes;
  const head = headLength(bytes);
  return Buffer.concat([bytes.subarray(0, head), rechunk(bytes.subarray(head))]);
}
