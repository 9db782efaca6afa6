// One MSZIP block each way ([MS-MCI] §2: a CFDATA payload is "CK" + a raw RFC 1951 deflate
// stream ending in a BFINAL block; the previous ≤ 32 KiB of output is the history window).
// Pure Buffer in/out over node:zlib. Deliberately no CFDATA framing or checksums (cab-extract.ts,
// cab-writer.ts do that) and no streaming state beyond the dictionary the caller passes.
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';

/** [MS-MCI] §2.1: each block starts with the signature 'C' 'K'. */
export const MSZIP_SIGNATURE = Buffer.from('CK', 'latin1');
/** [MS-MCI] §2: at most 32 KiB of uncompressed data per block, and of history. */
export const MSZIP_BLOCK = 32768;

export type InflateResult = { ok: true; data: Buffer } | { ok: false; message: string };

/**
 * Inflates one MSZIP payload to exactly `expected` bytes. `history` is the output that came
 * before (only its last 32 KiB are used). Errors are returned, never thrown.
 */
export function inflateMszipBlock(payload: Buffer, history: Buffer, expected: number): InflateResult {
  if (payload.length < 2 || payload[0] !== 0x43 || payload[1] !== 0x4b) {
    return { ok: false, message: 'MSZIP block does not start with "CK"' };
  }
  const dictionary = history.length > MSZIP_BLOCK ? history.subarray(history.length - MSZIP_BLOCK) : history;
  let data: Buffer;
  try {
    data = inflateRawSync(payload.subarray(2), {
      ...(dictionary.length > 0 ? { dictionary } : {}),
      // A block without BFINAL still yields its bytes; the length check below judges them.
      finishFlush: constants.Z_SYNC_FLUSH,
      // Guards against a block that claims 32 KiB and inflates to gigabytes.
      maxOutputLength: MSZIP_BLOCK + 1,
      // One output chunk for a whole block: with the default 16 KiB chunks, zlib's output is
      // gathered and copied once more (a third of MSZIP extraction time).
      chunkSize: 2 * MSZIP_BLOCK,
    });
  } catch (err) {
    return { ok: false, message: `MSZIP block does not inflate: ${(err as Error).message}` };
  }
  if (data.length !== expected) {
    return { ok: false, message: `MSZIP block inflated to ${data.length} bytes, CFDATA says ${expected}` };
  }
  return { ok: true, data };
}

/** Deflates ≤ 32 KiB into one MSZIP payload ("CK" + raw deflate with BFINAL) using `history`. */
export function deflateMszipBlock(chunk: Buffer, history: Buffer): Buffer {
  if (chunk.length > MSZIP_BLOCK) throw new RangeError(`MSZIP block of ${chunk.length} bytes (max ${MSZIP_BLOCK})`);
  const dictionary = history.length > MSZIP_BLOCK ? history.subarray(history.length - MSZIP_BLOCK) : history;
  const raw = deflateRawSync(chunk, { level: 9, ...(dictionary.length > 0 ? { dictionary } : {}) });
  return Buffer.concat([MSZIP_SIGNATURE, raw]);
}
