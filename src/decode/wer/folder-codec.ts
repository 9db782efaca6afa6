// The per-folder decompressor of CAB extraction, chosen by the folder's typeCompress
// ([MS-CAB] §2.2): stored, MSZIP ([MS-MCI]) or LZX (lzx-decoder.ts). cab-extract.ts frames and
// checksums the CFDATA blocks and hands each payload here; Quantum and unknown methods get an
// `unsupported-compression` problem instead of a decoder. One codec per folder, in block order.
import type { CabFolder, CabProblem } from './cab.js';
import { inflateMszipBlock, MSZIP_BLOCK } from './mszip.js';
import { LzxDecoder } from './lzx-decoder.js';
import { LZX_FRAME, LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS } from './lzx-tables.js';

export type BlockResult = { ok: true; data: Buffer } | { ok: false; problem: CabProblem };

export interface FolderCodec {
  /** Decodes one CFDATA payload to exactly `cbUncomp` bytes; `last` = the folder's last block. */
  block(payload: Buffer, cbUncomp: number, last: boolean): BlockResult;
  /** Later blocks decode against earlier output: a damaged block taints all that follows. */
  readonly chained: boolean;
  /** The first `n` bytes of all blocks decoded so far as one buffer, if the codec keeps them
   * contiguous (LZX does: it saves the caller a concat of the whole folder). Called once, when
   * the folder is done: no block() after it. */
  whole?(n: number): Buffer;
}

const METHOD_NAMES = { quantum: 'Quantum', lzx: 'LZX', unknown: 'unknown-method' } as const;

function unsupported(folder: CabFolder): CabProblem {
  const c = folder.compression;
  const method = c.method === 'none' || c.method === 'mszip' || c.method === 'lzx' ? 'unknown' : c.method;
  const detail = c.method === 'unknown' ? ` (typeCompress 0x${folder.typeCompress.toString(16).padStart(4, '0')})` : '';
  return {
    code: 'unsupported-compression',
    message: `${METHOD_NAMES[method]}-compressed${detail}; wer-sniff can list but not extract it — use cabextract`,
  };
}

const stored: FolderCodec = {
  chained: false,
  block(payload, cbUncomp) {
    if (payload.length === cbUncomp) return { ok: true, data: payload };
    return { ok: false, problem: { code: 'bad-block', message: `stored but cbData ${payload.length} ≠ cbUncomp ${cbUncomp}` } };
  },
};

function mszip(): FolderCodec {
  let history: Buffer = Buffer.alloc(0);
  return {
    chained: true,
    block(payload, cbUncomp) {
      const r = inflateMszipBlock(payload, history, cbUncomp);
      if (!r.ok) return { ok: false, problem: { code: 'mszip-error', message: r.message } };
      history = r.data.length >= MSZIP_BLOCK ? r.data : Buffer.concat([history, r.data]).subarray(-MSZIP_BLOCK);
      return r;
    },
  };
}

/** Most output reserved up front (untouched memory costs nothing until written); beyond it
 * the buffer grows by doubling, so a folder that only claims to be huge gets memory as its
 * data really decodes. */
const LZX_FIRST_OUTPUT = 64 * 1024 * 1024;

function lzx(windowBits: number, wanted: number, blocks: number): FolderCodec {
  const d = new LzxDecoder(windowBits);
  // Each CFDATA block is one frame of ≤ 32 KiB: an honest folder needs exactly `wanted` bytes.
  let out = Buffer.allocUnsafe(Math.max(0, Math.min(wanted, blocks * LZX_FRAME, LZX_FIRST_OUTPUT)));
  let used = 0;
  return {
    chained: true,
    block(payload, cbUncomp, last) {
      if (used + cbUncomp > out.length) {
        const need = used + cbUncomp;
        let bigger: typeof out;
        try {
          bigger = Buffer.allocUnsafe(Math.max(need, Math.min(Math.max(out.length * 2, 1 << 20), Math.max(wanted, need))));
        } catch {
          return { ok: false, problem: { code: 'too-large', message: `no memory for ${need} decoded bytes` } };
        }
        out.copy(bigger, 0, 0, used);
        out = bigger;
      }
      const r = d.frame(payload, cbUncomp, last, out, used);
      if (!r.ok) return { ok: false, problem: { code: 'lzx-error', message: r.message } };
      used += cbUncomp;
      return r;
    },
    // A folder that decoded to much less than reserved (damaged, or claims more than it holds)
    // gives back the rest instead of pinning it.
    whole(n) {
      d.release();
      return out.length - n > 1 << 20 ? Buffer.from(out.subarray(0, n)) : out.subarray(0, n);
    },
  };
}

/** The decompressor for `folder`, or why it cannot be extracted. `wanted`: the bytes of the
 * folder's stream that the caller needs (within its budget), a hint for sizing output. */
export function folderCodec(folder: CabFolder, wanted = 0): FolderCodec | CabProblem {
  const c = folder.compression;
  switch (c.method) {
    case 'none': return stored;
    case 'mszip': return mszip();
    case 'lzx': {
      const bits = c.lzxWindowBits ?? 0;
      if (bits < LZX_MIN_WINDOW_BITS || bits > LZX_MAX_WINDOW_BITS) {
        return { code: 'bad-compression', message: `LZX window 2^${bits} is outside the 2^15..2^21 that [MS-CAB] §2.2 allows` };
      }
      return lzx(bits, wanted, folder.cCFData);
    }
    default: return unsupported(folder);
  }
}
