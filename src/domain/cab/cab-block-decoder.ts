// The one seam where a compression method plugs into extraction: a BlockDecoder per folder
// ([MS-CAB] §2.1 typeCompress) for stored, MSZIP and LZX data; Quantum and unknown methods get a
// problem that says to use cabextract. Pure.
import type { CabFolder, CabProblem } from './cab.js';
import { inflateMszipBlock, MSZIP_BLOCK } from './mszip.js';
import { LzxDecoder } from './lzx/lzx-decoder.js';
import { LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS } from './lzx/lzx-tables.js';

type BlockResult = { ok: true; data: Buffer } | { ok: false; error: CabProblem };

/**
 * The one seam where a compression method plugs in: decodes a folder's CFDATA payloads in
 * order, keeping whatever state the method carries from block to block.
 */
export interface BlockDecoder {
  /** True when a damaged block spoils every later one too (they decode against its output). */
  readonly chained: boolean;
  /** Decodes one payload to exactly `cbUncomp` bytes; `where` names the block in messages;
   * `last`: the folder's last block (LZX lets only that frame be short). */
  block(payload: Buffer, cbUncomp: number, where: string, last: boolean): BlockResult;
  /** The folder is done: memory the decoder can hand to the next folder's goes back. */
  release?(): void;
}

const METHOD_NAMES = { quantum: 'Quantum', lzx: 'LZX', unknown: 'unknown-method' } as const;

/** The decoder for `folder`'s method, or why it cannot be decoded. */
export function blockDecoder(folder: CabFolder): BlockDecoder | CabProblem {
  const c = folder.compression;
  if (c.method === 'none') {
    return {
      chained: false,
      block: (payload, cbUncomp, where) => (payload.length === cbUncomp ? { ok: true, data: payload }
        : { ok: false, error: { code: 'bad-block', message: `${where} is stored but cbData ${payload.length} ≠ cbUncomp ${cbUncomp}` } }),
    };
  }
  if (c.method === 'mszip') {
    let history: Buffer = Buffer.alloc(0);
    return {
      chained: true,
      block(payload, cbUncomp, where) {
        const r = inflateMszipBlock(payload, history, cbUncomp);
        if (!r.ok) return { ok: false, error: { code: 'mszip-error', message: `${where}: ${r.message}` } };
        history = r.data.length >= MSZIP_BLOCK ? r.data : Buffer.concat([history, r.data]).subarray(-MSZIP_BLOCK);
        return r;
      },
    };
  }
  if (c.method === 'lzx') {
    const bits = c.lzxWindowBits ?? 0;
    if (bits < LZX_MIN_WINDOW_BITS || bits > LZX_MAX_WINDOW_BITS) {
      return { code: 'bad-compression', message: `LZX window 2^${bits} is outside the 2^15..2^21 that [MS-CAB] §2.2 allows` };
    }
    // The decoder keeps the window and the bit stream from block to block (lzx-decoder.ts).
    const lzx = new LzxDecoder(bits);
    return {
      chained: true,
      block(payload, cbUncomp, where, last) {
        const r = lzx.frame(payload, cbUncomp, last);
        return r.ok ? r : { ok: false, error: { code: 'lzx-error', message: `${where}: ${r.message}` } };
      },
      release: () => lzx.release(),
    };
  }
  const detail = c.method === 'unknown' ? ` (typeCompress 0x${folder.typeCompress.toString(16).padStart(4, '0')})` : '';
  return {
    code: 'unsupported-compression',
    message: `${METHOD_NAMES[c.method]}-compressed${detail}; wer-sniff can list but not extract it — use cabextract`,
  };
}
