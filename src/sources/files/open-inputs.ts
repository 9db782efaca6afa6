// The one way `decode`, `check`, `diff`, `replay` and `ls` open what they are given. What an
// input is, is told from its content, never its name: a folder is a `--save-dir` report folder
// (or a save-dir root: all its report folders, oldest first); a file starting with a pcap or
// pcapng magic number is a capture; one whose first character is `{` and that parses as
// `{"log":{"entries":[…]}}` is a HAR; anything else is raw bytes (`nc -l`, `--raw`, `-o`,
// `.http`), streamed. Every kind is fed to a ChunkTarget as connections of chunks, so what
// follows (the Recorder and every output, or replay's request splitter) is the same for all.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ConnectionInfo } from '../../model.js';
import { WerSniffError, inWords } from '../../errors.js';
import { detectCaptureFormat, parseCapture, WER_PORT, type TcpFilter } from '../pcap/capture.js';
import { describeNoMatch, feedCaptureTo, formatNotices } from './pcap-input.js';
import { harConnections, isHar } from './har-wire.js';
import { feedReportFolder, reportFolders } from './report-folder.js';
import { feedRawStream, looksLikeJson, READ_CHUNK_BYTES } from './decode-file.js';
import type { ChunkTarget } from './chunk-target.js';

export type InputKind = 'stdin' | 'raw' | 'pcap' | 'pcapng' | 'har' | 'report-folder' | 'save-dir';

export interface Input {
  /** As given (`-` is stdin). */
  name: string;
  /** What the content says it is; stdin is told once its first bytes are in. */
  kind: InputKind;
  /** Report folders, oldest first (report-folder and save-dir only). */
  folders?: string[];
}

/** Bytes read to tell a file's kind. */
const SNIFF_BYTES = 64;

/** Tells what each input is. Throws a one-line error (exit `exitCode`) for a path that cannot
 * be read. */
export function openInputs(files: string[], exitCode = 1): Input[] {
  const list = files.length ? files : ['-'];
  return list.map((name) => {
    if (name === '-') return { name: '(stdin)', kind: 'stdin' as const };
    let stat: fs.Stats;
    try {
      stat = fs.statSync(name);
    } catch (err) {
      throw new WerSniffError('input-missing', `cannot read ${name}: ${inWords(err)} — check the path`, exitCode);
    }
    if (stat.isDirectory()) {
      try {
        const folders = reportFolders(name);
        return { name, kind: folders.length === 1 && folders[0] === name ? 'report-folder' as const : 'save-dir' as const, folders };
      } catch (err) {
        if (err instanceof WerSniffError) throw new WerSniffError(err.code, err.message, exitCode);
        throw new WerSniffError('input-missing', `cannot read the folder ${name}: ${inWords(err)} — check the path`, exitCode);
      }
    }
    let head: Buffer;
    try {
      head = readHead(name);
    } catch (err) {
      throw new WerSniffError('input-missing', `cannot read ${name}: ${inWords(err)} — check the path`, exitCode);
    }
    return { name, kind: kindOf(head) };
  });
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    return head.subarray(0, fs.readSync(fd, head, 0, SNIFF_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** pcap, pcapng, HAR (a JSON object: confirmed when parsed) or raw, from the first bytes. */
export function kindOf(head: Buffer): InputKind {
  const cap = detectCaptureFormat(head);
  if (cap) return cap;
  return looksLikeJson(head) ? 'har' : 'raw';
}

/** True when an input has real times and addresses (captures, HAR, report folders): it is
 * shown like a live capture. */
export function hasTimedInput(inputs: Input[]): boolean {
  return inputs.some((i) => i.kind !== 'raw' && i.kind !== 'stdin');
}

export interface FeedOptions {
  /** Which TCP connections of a pcap/pcapng input (default: port 1273). */
  filter?: TcpFilter;
  /** One-line messages about an input as a whole: a damaged capture, what a HAR or a folder
   * could not give back exactly. */
  onNotice?(message: string): void;
  /** Report folders: also their PUT and CAB (default true). */
  upload?: boolean;
  /** Read stdin from here (tests). */
  stdin?: Readable;
}

/** Feeds every input, in order, to `target`. Returns how many notices said the input is
 * damaged (a bad capture, not HTTP at all); notes on what a HAR or a folder could not give
 * back exactly are passed on too, but not counted. */
export async function feedInputs(inputs: Input[], target: ChunkTarget, opts: FeedOptions = {}): Promise<number> {
  let id = 0;
  let notices = 0;
  const notice = (m: string) => {
    notices++;
    opts.onNotice?.(m);
  };
  const note = (m: string) => opts.onNotice?.(m);
  for (const input of inputs) {
    try {
      switch (input.kind) {
        case 'report-folder':
        case 'save-dir':
          for (const folder of input.folders!) await feedReportFolder(folder, target, ++id, { upload: opts.upload, onNote: note });
          break;
        case 'pcap':
        case 'pcapng':
          id += await feedCaptureBytes(fs.readFileSync(input.name), input.name, target, id, opts, notice);
          break;
        case 'har': {
          const bytes = fs.readFileSync(input.name);
          id = (await feedHarBytes(bytes, input.name, target, id, note)) ?? (await feedRawBytes(bytes, input.name, target, id));
          break;
        }
        default: {
          const stream = input.kind === 'stdin' ? opts.stdin ?? process.stdin : fs.createReadStream(input.name, { highWaterMark: READ_CHUNK_BYTES });
          id = await feedRawStream(stream, input.name, target, id, {
            capture: (bytes) => feedCaptureBytes(bytes, input.name, target, id, opts, notice),
            har: (bytes) => feedHarBytes(bytes, input.name, target, id, note),
            notice,
          });
        }
      }
    } catch (err) {
      if (err instanceof WerSniffError) throw err;
      throw new WerSniffError('input-failed', `reading ${input.name} failed: ${inWords(err)}`);
    }
  }
  return notices;
}

/** A pcap/pcapng capture's connections; returns how many. */
async function feedCaptureBytes(bytes: Buffer, name: string, target: ChunkTarget, idBase: number, opts: FeedOptions, notice: (m: string) => void): Promise<number> {
  const filter = opts.filter ?? { port: WER_PORT };
  const cap = parseCapture(bytes, filter);
  if (!cap) return 0;
  for (const line of formatNotices(name, cap.notices)) notice(line);
  const none = describeNoMatch(name, cap, filter);
  if (none) opts.onNotice?.(none);
  return feedCaptureTo(cap, target, idBase, name);
}

/** A HAR's connections; returns the last connection id, or undefined when the bytes are not a
 * HAR (then they are raw bytes, said in a notice). */
async function feedHarBytes(bytes: Buffer, name: string, target: ChunkTarget, id: number, notice: (m: string) => void): Promise<number | undefined> {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    notice(`${name} starts like JSON but does not parse (${(err as Error).message.slice(0, 80)}): read as raw bytes`);
    return undefined;
  }
  if (!isHar(doc)) {
    notice(`${name} is JSON but not a HAR (no log.entries): read as raw bytes`);
    return undefined;
  }
  const har = harConnections(doc, name);
  for (const n of har.notes) notice(n);
  for (const c of har.connections) {
    const info: ConnectionInfo = { id: ++id, peer: name, local: c.server, openedAt: c.openedAt, bytesFromClient: 0, bytesFromServer: 0 };
    const conn = target.open(info, 'live', c.name);
    const offsets = { client: 0, server: 0 };
    let last = c.openedAt;
    for (const s of c.steps) {
      last = Math.max(last, s.ts);
      if (s.type === 'problem') {
        conn.problem({ code: s.code, source: s.source, offset: offsets[s.source], message: s.message }, s.ts);
        continue;
      }
      offsets[s.source] += s.bytes.length;
      conn.push(s.source, s.bytes, s.ts);
      const wait = target.backpressure();
      if (wait) await wait;
    }
    conn.end('client', last);
    conn.end('server', last);
    conn.close(undefined, last);
  }
  return id;
}

/** Bytes read whole that turned out to be raw after all: one connection. */
async function feedRawBytes(bytes: Buffer, name: string, target: ChunkTarget, id: number): Promise<number> {
  return feedRawStream(Readable.from([bytes]), name, target, id, {});
}
