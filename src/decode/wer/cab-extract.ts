// Extracts the files of a cabinet into memory: concatenates each folder's CFDATA blocks
// ([MS-CAB] §2.4), verifies their checksums, decodes them with the folder's codec (stored, MSZIP,
// LZX: folder-codec.ts), slices [uoffFolderStart, +cbFile). Never returns wrong bytes: a file
// whose range is damaged, missing or unsupported (Quantum, other cabinets of a set) gets an
// `error` instead of `data`. Also makes CAB names safe as relative paths. Deliberately no fs
// (src/wer/cab-files.ts writes) and no Quantum decoder.
import {
  parseCab, cabChecksum, CFDATA_SIZE, CAB_FLAG_PREV, CAB_FLAG_NEXT,
  type Cab, type CabFolder, type CabProblem,
} from './cab.js';
import { folderCodec, type FolderCodec } from './folder-codec.js';

export interface ExtractedFile {
  name: string;
  size: number;
  /** A view into its folder's decoded stream, not a copy: copying every file of a 60 MB folder
   * took ~240 ms and another 60 MB (fresh memory is slow to touch). Copy it to keep a small file
   * long after the rest, or the whole folder stays in memory with it. */
  data?: Buffer;
  error?: CabProblem;
}

/** A byte range of a folder's uncompressed stream that must not be trusted, and why. */
interface Taint { start: number; end: number; error: CabProblem }

interface FolderStream {
  /** Verified bytes [0, data.length) of the folder's uncompressed stream. */
  data: Buffer;
  taints: Taint[];
  /** Why decoding stopped before the needed end, if it did. */
  stop?: CabProblem;
}

const CONTINUED = {
  'from-prev': 'continued from the previous cabinet',
  'to-next': 'continued in the next cabinet',
  'prev-and-next': 'continued from the previous and in the next cabinet',
} as const;
/**
 * [MS-CAB] §2.4: reads folder `folder`'s CFDATA blocks until `needed` uncompressed bytes are
 * available (or the blocks run out). Checksum failures taint the block's output range; for MSZIP
 * and LZX they taint everything after too, since later blocks decode against the damaged history.
 */
function decodeFolder(buf: Buffer, cab: Cab, folder: CabFolder, codec: FolderCodec, needed: number): FolderStream {
  const reserve = cab.header?.cbCFData ?? 0;
  const parts: Buffer[] = [];
  const taints: Taint[] = [];
  let produced = 0;
  let pos = folder.coffCabStart;
  const where = (i: number): string => `CFDATA block ${i + 1} of folder ${folder.index}`;
  const done = (stop?: CabProblem): FolderStream => {
    const data = codec.whole?.(produced) ?? Buffer.concat(parts, produced);
    return stop ? { data, taints, stop } : { data, taints };
  };

  for (let i = 0; i < folder.cCFData && produced < needed; i++) {
    if (pos + CFDATA_SIZE + reserve > buf.length) {
      return done({ code: 'truncated', message: `${where(i)} is missing: the cabinet ends at ${buf.length}` });
    }
    const csum = buf.readUInt32LE(pos);
    const cbData = buf.readUInt16LE(pos + 4);
    const cbUncomp = buf.readUInt16LE(pos + 6);
    const payloadStart = pos + CFDATA_SIZE + reserve;
    if (payloadStart + cbData > buf.length) {
      return done({ code: 'truncated', message: `${where(i)} is cut short: the cabinet ends at ${buf.length}` });
    }
    const payload = buf.subarray(payloadStart, payloadStart + cbData);
    if (cbUncomp === 0) {
      // §2.4: cbUncomp 0 marks a block split across cabinets; its rest is in the next one.
      return done({ code: 'multi-cabinet', message: `${where(i)} continues in the next cabinet` });
    }
    // §2.4 csum (0 = not computed). libmspack sums cbData+cbUncomp only; MS-CAB's wording also
    // covers abReserve. Either is accepted.
    if (csum !== 0) {
      const sum = cabChecksum(payload);
      const ok = cabChecksum(buf.subarray(pos + 4, pos + 8), sum) === csum
        || (reserve > 0 && cabChecksum(buf.subarray(pos + 4, payloadStart), sum) === csum);
      if (!ok) {
        const error = { code: 'checksum', message: `${where(i)} failed its checksum` };
        taints.push({ start: produced, end: codec.chained ? Infinity : produced + cbUncomp, error });
      }
    }
    // The codec hook: one decompressor per folder, chosen by typeCompress (folder-codec.ts).
    const r = codec.block(payload, cbUncomp, i === folder.cCFData - 1);
    if (!r.ok) return done({ ...r.problem, message: `${where(i)}: ${r.problem.message}` });
    const block = r.data;
    parts.push(block);
    produced += block.length;
    pos = payloadStart + cbData;
  }
  return done();
}

export interface ExtractOptions {
  /** Largest folder stream to decode (memory guard against MSZIP bombs). Default: the
   * [MS-CAB] §2.2 limit of 0x7FFF8000 bytes; files beyond it get 'too-large'. */
  maxFolderBytes?: number;
}

/** Extracts every listed file; each gets `data` (exact bytes) or `error`, never both. */
export function extractCab(buf: Buffer, cab: Cab = parseCab(buf), opts: ExtractOptions = {}): ExtractedFile[] {
  const limit = opts.maxFolderBytes ?? 0x7fff8000;
  const flags = cab.header?.flags ?? 0;
  const lastFolder = cab.folders.length - 1;
  // Folders spanning into other cabinets of a set: the first one if PREV, the last one if NEXT.
  const spans = (i: number): boolean => ((flags & CAB_FLAG_PREV) !== 0 && i === 0)
    || ((flags & CAB_FLAG_NEXT) !== 0 && i === lastFolder);
  const needed = new Map<number, number>();
  for (const f of cab.files) {
    if (f.folder === undefined || f.continued || spans(f.folder)) continue;
    const end = f.uoffFolderStart + f.size;
    if (end <= limit) needed.set(f.folder, Math.max(needed.get(f.folder) ?? 0, end));
  }
  const streams = new Map<number, FolderStream | CabProblem>();
  for (const [index, end] of needed) {
    const folder = cab.folders[index];
    if (!folder) continue;
    const codec = folderCodec(folder, end);
    streams.set(index, 'code' in codec ? codec : decodeFolder(buf, cab, folder, codec, end));
  }

  return cab.files.map((f): ExtractedFile => {
    const fail = (error: CabProblem): ExtractedFile => ({ name: f.name, size: f.size, error });
    if (f.folder === undefined || !cab.folders[f.folder]) {
      return fail({ code: 'bad-folder', message: `folder ${f.iFolder} does not exist in this cabinet` });
    }
    if (f.continued || spans(f.folder)) {
      const where = f.continued ? CONTINUED[f.continued] : 'stored in a folder shared with another cabinet';
      return fail({ code: 'multi-cabinet', message: `${where}; extract the whole set with cabextract` });
    }
    const s = streams.get(f.folder);
    if (!s) return fail({ code: 'bad-folder', message: `folder ${f.folder} could not be read` });
    if ('code' in s) return fail(s);
    // An empty file has no bytes that could be wrong, wherever its offset points.
    if (f.size === 0) return { name: f.name, size: 0, data: Buffer.alloc(0) };
    const start = f.uoffFolderStart, end = start + f.size;
    if (end > limit) return fail({ code: 'too-large', message: `ends ${end} bytes into folder ${f.folder}, beyond the ${limit}-byte limit` });
    const taint = s.taints.find((t) => t.start < end && start < t.end);
    if (taint) return fail(taint.error);
    if (end > s.data.length) {
      return fail(s.stop ?? {
        code: 'out-of-range',
        message: `bytes ${start}–${end} lie beyond folder ${f.folder}'s ${s.data.length} uncompressed bytes`,
      });
    }
    return { name: f.name, size: f.size, data: s.data.subarray(start, end) };
  });
}

// Windows device names that cannot be file names, with or without an extension.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;
const MAX_SEGMENT = 120;
const MAX_SEGMENTS = 16;

function safeSegment(raw: string): string {
  // Characters Windows forbids in names, control characters (C0, DEL, C1), bidi controls that
  // would make a name read backwards in a listing, and lone surrogates become '_'.
  // eslint-disable-next-line no-control-regex
  let s = raw.replace(/[\u0001-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>:"|?*]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '_').replace(/[. ]+$/, '');
  if (s === '' || s === '.' || s === '..') return '';
  if (RESERVED.test(s)) s = `_${s}`;
  if (s.length > MAX_SEGMENT) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    let cut = MAX_SEGMENT - ext.length;
    // Never split a surrogate pair (an emoji) in half.
    if (/[\ud800-\udbff]/.test(s[cut - 1] ?? '')) cut--;
    s = s.slice(0, cut) + ext;
  }
  return s;
}

/**
 * Turns a CAB name (`\`-separated, untrusted) into a relative path with `/` separators that
 * stays inside the target directory on POSIX and Windows: drops NULs, drive letters, leading
 * separators, `.` and `..`; prefixes reserved device names (CON, NUL, COM1…) with `_`; trims
 * trailing dots/spaces; bounds each segment's length and the depth. Never returns ''.
 */
export function safeExtractPath(name: string): string {
  const parts = name.replace(/\0/g, '').split(/[\\/]+/);
  // A leading drive ("C:" or "C:x") is a root, not a name.
  if (parts.length > 0) parts[0] = parts[0]!.replace(/^[A-Za-z]:/, '');
  const segs = parts.map(safeSegment).filter((s) => s !== '');
  const kept = segs.length > MAX_SEGMENTS ? segs.slice(segs.length - MAX_SEGMENTS) : segs;
  return kept.length > 0 ? kept.join('/') : '_';
}
