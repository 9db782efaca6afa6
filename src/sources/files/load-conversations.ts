// Reads one side of `diff`: a capture file (raw bytes or .http, as `decode` reads them), a
// `--save-dir` report folder (level1.http + response.txt + report.cab, as report-store.ts
// writes them) or a folder of such folders, or `file#N` for the Nth report of a capture. Every
// form goes through the same Recorder and ConversationGatherer as `decode`; a new format (pcap)
// plugs in as one more CaptureLoader that feeds the recorder its chunks.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Recorder } from '../../pipeline/recorder.js';
import { decodeInputs, READ_CHUNK_BYTES } from './decode-file.js';
import { ConversationGatherer, type Conversation } from '../../analysis/diff/conversation.js';
import { parseCab } from '../../domain/cab/cab.js';
import { isCab } from '../../domain/cab/cab-view.js';
import { WerSniffError, inWords } from '../../errors.js';
import type { TcpFilter } from '../pcap/capture.js';

export interface LoadOptions {
  maxBodyBytes?: number;
  /** pcap/pcapng sides: which TCP connections (default: port 1273). */
  filter?: TcpFilter;
}

/** One way of turning a path into captured bytes. */
export interface CaptureLoader {
  accepts(file: string, stat: fs.Stats): boolean;
  /** Feeds the recorder; returns the conversations the gatherer found, completed. */
  load(file: string, recorder: Recorder, gatherer: ConversationGatherer, opts: LoadOptions): Promise<Conversation[]>;
}

const LEVEL1 = 'level1.http';

/** The report folders `dir` stands for: itself when it is one (holds level1.http), else its
 * subfolders that are, by name. Throws (exit 2) when there are none. */
export function reportFolders(dir: string): string[] {
  const folders = fs.existsSync(path.join(dir, LEVEL1))
    ? [dir]
    : fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, LEVEL1))).map((e) => path.join(dir, e.name)).sort();
  if (folders.length === 0) throw new WerSniffError('not-a-report-folder', `${dir} holds no ${LEVEL1} — give a --save-dir report folder or a capture file`, 2);
  return folders;
}

/** A report folder's exchange as one offline stream: level1.http, then response.txt (if any),
 * framed like any capture. */
export function reportFolderStream(folder: string): Readable {
  const bytes = [fs.readFileSync(path.join(folder, LEVEL1))];
  const response = path.join(folder, 'response.txt');
  if (fs.existsSync(response)) bytes.push(fs.readFileSync(response));
  return Readable.from(bytes);
}

/** A report folder's CAB: report.cab, or report.cab.incomplete where the upload broke off;
 * `files` (names and sizes) when the bytes are a cabinet. Undefined when there is neither. */
export function readSavedCab(folder: string): { complete: boolean; length: number; files?: { name: string; size: number }[] } | undefined {
  const cab = path.join(folder, 'report.cab');
  const broken = `${cab}.incomplete`;
  if (!fs.existsSync(cab)) return fs.existsSync(broken) ? { complete: false, length: fs.statSync(broken).size } : undefined;
  const bytes = fs.readFileSync(cab);
  if (!isCab(bytes)) return { complete: true, length: bytes.length };
  return { complete: true, length: bytes.length, files: parseCab(bytes).files.map((f) => ({ name: f.name, size: f.size })) };
}

/** A folder written by `--save-dir` (one report), or a folder of them (every report, by name). */
const saveDirLoader: CaptureLoader = {
  accepts: (_file, stat) => stat.isDirectory(),
  async load(dir, recorder, gatherer) {
    const out: Conversation[] = [];
    for (const folder of reportFolders(dir)) {
      const before = gatherer.conversations.length;
      await decodeInputs([{ name: folder, stream: reportFolderStream(folder) }], recorder);
      const conv = gatherer.conversations[before];
      if (!conv) throw new WerSniffError('not-a-report-folder', `${path.join(folder, LEVEL1)} holds no level-1 report`, 2);
      conv.label = folder;
      const cab = readSavedCab(folder);
      if (cab?.complete) conv.cabFiles = cab.files ?? [];
      out.push(conv);
    }
    return out;
  },
};

/** Raw bytes or .http files, exactly as `decode` reads them. */
const captureFileLoader: CaptureLoader = {
  accepts: (_file, stat) => stat.isFile(),
  async load(file, recorder, gatherer, opts) {
    const before = gatherer.conversations.length;
    await decodeInputs([{ name: file, stream: fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) }], recorder, { filter: opts.filter });
    return gatherer.conversations.slice(before);
  },
};

/** Tried in order; the first that accepts a path reads it. */
export const CAPTURE_LOADERS: CaptureLoader[] = [saveDirLoader, captureFileLoader];

/** `file`, or `file#N` when `file#N` itself does not exist. */
export function parseSideSpec(spec: string): { file: string; index?: number } {
  const m = /^(.*)#(\d+)$/.exec(spec);
  if (m && !fs.existsSync(spec) && fs.existsSync(m[1]!)) return { file: m[1]!, index: Number(m[2]) };
  return { file: spec };
}

/** The conversations of one side (all of them, or the one `#N` names). Errors exit with 2. */
export async function loadConversations(spec: string, opts: LoadOptions = {}): Promise<Conversation[]> {
  const { file, index } = parseSideSpec(spec);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new WerSniffError('input-missing', `cannot read ${file}: ${inWords(err)} — check the path`, 2);
  }
  const loader = CAPTURE_LOADERS.find((l) => l.accepts(file, stat));
  if (!loader) throw new WerSniffError('input-unsupported', `${file} is neither a capture file nor a report folder`, 2);
  const gatherer = new ConversationGatherer();
  const recorder = new Recorder({ sinks: [gatherer], maxBodyBytes: opts.maxBodyBytes });
  let convs: Conversation[];
  try {
    convs = await loader.load(file, recorder, gatherer, opts);
  } catch (err) {
    if (err instanceof WerSniffError) throw new WerSniffError(err.code, err.message, 2);
    throw new WerSniffError('input-failed', `reading ${file} failed: ${(err as Error).message}`, 2);
  } finally {
    await recorder.close();
  }
  if (convs.length === 0) throw new WerSniffError('no-report', `no level-1 report in ${file} — give a capture of POST /stage2.htm or a --save-dir report folder`, 2);
  if (index === undefined) return convs;
  const conv = convs[index - 1];
  if (!conv || index < 1) throw new WerSniffError('no-such-report', `${file} holds ${convs.length} report${convs.length === 1 ? '' : 's'}, not #${index} — use #1…#${convs.length}`, 2);
  return [conv];
}
