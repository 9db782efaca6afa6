// Extracts the files of a cabinet as a stream: folder by folder, CFDATA block by block
// ([MS-CAB] §2.4), checksums verified, each block decoded by its folder's BlockDecoder (cab-block-decoder.ts), and its
// bytes handed to every file whose [uoffFolderStart, +cbFile) range it covers. Nothing is held
// beyond one block and the 32 KiB history, so memory does not grow with the cabinet.
// All extracted bytes of one cabinet share ONE budget (ExtractLimits): overlapping file records
// count every time they are delivered, so neither an MSZIP "bomb" nor 400 records over one
// folder can turn a few KB received into gigabytes. Never delivers wrong bytes as a good file:
// a file whose range is damaged, missing or unsupported (Quantum, other cabinets of a set) ends
// with an `error`, and whatever was already delivered for it must be discarded.
// Pure: no fs (pipeline/workers/cab-files.ts writes). Names are made safe by cab-names.ts.
import {
  parseCab, cabChecksum, CFDATA_SIZE, CAB_FLAG_PREV, CAB_FLAG_NEXT,
  type Cab, type CabFile, type CabFolder, type CabProblem,
} from './cab.js';
import { blockDecoder, type BlockDecoder } from './cab-block-decoder.js';
import { bufferSource, isCabSource, type CabSource } from './cab-source.js';

export { safeExtractPath } from './cab-names.js';

/**
 * How far one cabinet may expand. Real minidumps and heap dumps compress 2–10:1 with MSZIP
 * (zeroed pages push a full-memory dump towards 20–30:1), while deflate's ceiling is ~1032:1,
 * which is what a bomb uses. Past `floorBytes` of output, at most `ratio` bytes may come out per
 * compressed byte read so far; beyond that, extraction stops. The output — and with it memory,
 * CPU and disk — stays bounded by the bytes actually received.
 */
export interface ExtractLimits {
  floorBytes: number;
  ratio: number;
}
export const EXPANSION_FLOOR_BYTES = 32 * 1024 * 1024;
export const EXPANSION_RATIO = 100;
export const DEFAULT_LIMITS: ExtractLimits = { floorBytes: EXPANSION_FLOOR_BYTES, ratio: EXPANSION_RATIO };
/** The CabProblem code of a file not extracted because the cabinet's budget ran out. */
export const EXPANSION_CODE = 'expansion-limit';

export type ExtractEvent =
  /** Bytes of file `file` (index in cab.files), in order. May be a view into the cabinet or a
   * decoder's buffer: copy it to keep it. */
  | { type: 'data'; file: number; data: Buffer }
  /** The file is complete (its data events were exactly its bytes), or failed with `error`. */
  | { type: 'end'; file: number; error?: CabProblem };

export interface ExtractOptions {
  /** Files ending beyond this offset of their folder are not decoded but end as 'too-large'.
   * Default: the [MS-CAB] §2.2 limit of 0x7FFF8000 bytes. */
  maxFolderBytes?: number;
  /** The expansion budget shared by every file (default DEFAULT_LIMITS). */
  limits?: ExtractLimits;
  /** Only these files are decoded and get events (default: all). */
  want?: (file: CabFile) => boolean;
}

const CONTINUED = {
  'from-prev': 'continued from the previous cabinet',
  'to-next': 'continued in the next cabinet',
  'prev-and-next': 'continued from the previous and in the next cabinet',
} as const;

/** The one budget of a cabinet's extraction (see ExtractLimits). */
class Budget {
  spent = 0;
  read = 0;
  stopped?: CabProblem;
  constructor(private readonly limits: ExtractLimits) {}
  allows(n: number): boolean {
    return this.spent + n <= Math.max(this.limits.floorBytes, this.limits.ratio * this.read);
  }
  /** The error of the file that crossed the limit; later files get `stopped`. */
  stop(f: CabFile, n: number): CabProblem {
    const { floorBytes, ratio } = this.limits;
    const msg = `${this.spent + n} bytes would come out of ${this.read} compressed bytes read (more than ${ratio}:1 past the first ${floorBytes} bytes)`;
    this.stopped = { code: EXPANSION_CODE, message: `not extracted: extraction of this cabinet stopped in folder ${f.folder}, at file ${f.index + 1}: ${msg}` };
    return { code: EXPANSION_CODE, message: `extraction stopped here, in folder ${f.folder}: ${msg}; the rest of the cabinet is not extracted` };
  }
}

/** Extracts `cab`'s files as events: every wanted file gets exactly one 'end'. `from`: the
 * cabinet in memory, or a source that reads it block by block (a spooled upload). */
export function* extractCabStream(from: Buffer | CabSource, cab: Cab, opts: ExtractOptions = {}): Generator<ExtractEvent> {
  const src = isCabSource(from) ? from : bufferSource(from);
  const limit = opts.maxFolderBytes ?? 0x7fff8000;
  const flags = cab.header?.flags ?? 0;
  const lastFolder = cab.folders.length - 1;
  // Folders spanning into other cabinets of a set: the first one if PREV, the last one if NEXT.
  const spans = (i: number): boolean => ((flags & CAB_FLAG_PREV) !== 0 && i === 0)
    || ((flags & CAB_FLAG_NEXT) !== 0 && i === lastFolder);
  const decoders = new Map<number, BlockDecoder | CabProblem>();
  const byFolder = new Map<number, CabFile[]>();
  for (const f of cab.files) {
    if (opts.want && !opts.want(f)) continue;
    const folder = f.folder === undefined ? undefined : cab.folders[f.folder];
    if (!folder) {
      yield { type: 'end', file: f.index, error: { code: 'bad-folder', message: `folder ${f.iFolder} does not exist in this cabinet` } };
      continue;
    }
    if (f.continued || spans(folder.index)) {
      const where = f.continued ? CONTINUED[f.continued] : 'stored in a folder shared with another cabinet';
      yield { type: 'end', file: f.index, error: { code: 'multi-cabinet', message: `${where}; extract the whole set with cabextract` } };
      continue;
    }
    let dec = decoders.get(folder.index);
    if (!dec) decoders.set(folder.index, (dec = blockDecoder(folder)));
    if ('code' in dec) {
      yield { type: 'end', file: f.index, error: dec };
      continue;
    }
    // An empty file has no bytes that could be wrong, wherever its offset points.
    if (f.size === 0) {
      yield { type: 'end', file: f.index };
      continue;
    }
    const end = f.uoffFolderStart + f.size;
    if (end > limit) {
      yield { type: 'end', file: f.index, error: { code: 'too-large', message: `ends ${end} bytes into folder ${folder.index}, beyond the ${limit}-byte limit` } };
      continue;
    }
    let list = byFolder.get(folder.index);
    if (!list) byFolder.set(folder.index, (list = []));
    list.push(f);
  }
  const budget = new Budget(opts.limits ?? DEFAULT_LIMITS);
  for (const index of [...byFolder.keys()].sort((a, b) => a - b)) {
    const files = byFolder.get(index)!;
    if (budget.stopped) {
      for (const f of files) yield { type: 'end', file: f.index, error: budget.stopped };
      continue;
    }
    const decoder = decoders.get(index) as BlockDecoder;
    try {
      yield* decodeFolder(src, cab, cab.folders[index]!, decoder, files, budget);
    } finally {
      // Its last bytes were handed out and taken: a cabinet of many LZX folders reuses one window.
      decoder.release?.();
    }
  }
}

/**
 * [MS-CAB] §2.4: reads the folder's CFDATA blocks until its wanted files are complete (or the
 * blocks run out) and hands each block's bytes to the files it covers. A checksum failure fails
 * the files the block covers; with a chained method (MSZIP) every later file too.
 */
function* decodeFolder(src: CabSource, cab: Cab, folder: CabFolder, decoder: BlockDecoder, wanted: CabFile[], budget: Budget): Generator<ExtractEvent> {
  const reserve = cab.header?.cbCFData ?? 0;
  const files = [...wanted].sort((a, b) => a.uoffFolderStart - b.uoffFolderStart);
  const needed = files.reduce((m, f) => Math.max(m, f.uoffFolderStart + f.size), 0);
  let next = 0; // files[next..] have not started yet
  let active: CabFile[] = [];
  const where = (i: number): string => `CFDATA block ${i + 1} of folder ${folder.index}`;
  /** Every file not ended yet fails with `error`. */
  function* failRest(error: CabProblem): Generator<ExtractEvent> {
    for (const f of active) yield { type: 'end', file: f.index, error };
    for (; next < files.length; next++) yield { type: 'end', file: files[next]!.index, error };
    active = [];
  }
  let produced = 0;
  let pos = folder.coffCabStart;
  for (let i = 0; i < folder.cCFData && produced < needed; i++) {
    if (pos + CFDATA_SIZE + reserve > src.length) {
      return yield* failRest({ code: 'truncated', message: `${where(i)} is missing: the cabinet ends at ${src.length}` });
    }
    const payloadStart = pos + CFDATA_SIZE + reserve;
    // One read for the block's header, reserve and (when it is all there) payload.
    const cbData = src.read(pos + 4, 2).readUInt16LE(0);
    if (payloadStart + cbData > src.length) {
      return yield* failRest({ code: 'truncated', message: `${where(i)} is cut short: the cabinet ends at ${src.length}` });
    }
    const block = src.read(pos, payloadStart + cbData - pos);
    const csum = block.readUInt32LE(0);
    const cbUncomp = block.readUInt16LE(6);
    const payload = block.subarray(payloadStart - pos);
    if (cbUncomp === 0) {
      // §2.4: cbUncomp 0 marks a block split across cabinets; its rest is in the next one.
      return yield* failRest({ code: 'multi-cabinet', message: `${where(i)} continues in the next cabinet` });
    }
    // §2.4 csum (0 = not computed). libmspack sums cbData+cbUncomp only; MS-CAB's wording also
    // covers abReserve. Either is accepted.
    let bad: CabProblem | undefined;
    if (csum !== 0) {
      const sum = cabChecksum(payload);
      const ok = cabChecksum(block.subarray(4, 8), sum) === csum
        || (reserve > 0 && cabChecksum(block.subarray(4, payloadStart - pos), sum) === csum);
      if (!ok) bad = { code: 'checksum', message: `${where(i)} failed its checksum` };
    }
    const r = decoder.block(payload, cbUncomp, where(i), i === folder.cCFData - 1);
    if (!r.ok) return yield* failRest(bad ?? r.error);
    if (bad && decoder.chained) return yield* failRest(bad);
    budget.read += payloadStart + cbData - pos;
    pos = payloadStart + cbData;
    const blockStart = produced;
    produced += r.data.length;
    while (next < files.length && files[next]!.uoffFolderStart < produced) active.push(files[next++]!);
    const still: CabFile[] = [];
    for (let k = 0; k < active.length; k++) {
      const f = active[k]!;
      const start = f.uoffFolderStart, end = start + f.size;
      if (bad) {
        // A damaged stored block fails only the files it covers: they leave `active`.
        yield { type: 'end', file: f.index, error: bad };
        continue;
      }
      const from = Math.max(start, blockStart), to = Math.min(end, produced);
      if (from < to) {
        if (!budget.allows(to - from)) {
          yield { type: 'end', file: f.index, error: budget.stop(f, to - from) };
          active = still.concat(active.slice(k + 1));
          return yield* failRest(budget.stopped!);
        }
        budget.spent += to - from;
        yield { type: 'data', file: f.index, data: r.data.subarray(from - blockStart, to - blockStart) };
      }
      if (end <= produced) yield { type: 'end', file: f.index };
      else still.push(f);
    }
    active = still;
  }
  // The blocks ran out before these files' ends.
  for (const f of active.concat(files.slice(next))) {
    yield {
      type: 'end', file: f.index,
      error: { code: 'out-of-range', message: `bytes ${f.uoffFolderStart}–${f.uoffFolderStart + f.size} lie beyond folder ${folder.index}'s ${produced} uncompressed bytes` },
    };
  }
}

export interface ExtractedFile {
  name: string;
  size: number;
  /** The file's exact bytes (a copy, not a view into the cabinet). */
  data?: Buffer;
  error?: CabProblem;
}

/** Extracts every listed file into memory (bounded by the budget); each gets `data` or
 * `error`, never both. For tests and small inputs: the live paths stream (cab-view.ts,
 * pipeline/workers/cab-files.ts). */
export function extractCab(buf: Buffer, cab: Cab = parseCab(buf), opts: ExtractOptions = {}): ExtractedFile[] {
  const out: ExtractedFile[] = cab.files.map((f) => ({ name: f.name, size: f.size }));
  const parts = new Map<number, Buffer[]>();
  for (const ev of extractCabStream(buf, cab, opts)) {
    if (ev.type === 'data') {
      let list = parts.get(ev.file);
      if (!list) parts.set(ev.file, (list = []));
      list.push(Buffer.from(ev.data)); // a decoder's buffer is reused for its next block
      continue;
    }
    const f = out[ev.file]!;
    if (ev.error) f.error = ev.error;
    else f.data = Buffer.concat(parts.get(ev.file) ?? [], f.size);
    parts.delete(ev.file);
  }
  return out;
}
