// Classic `hexdump -C` / `xxd` lines for raw bytes: 8-digit offset, 16 bytes of hex in two
// groups of 8, and an ASCII column where anything outside 0x20–0x7e is a dot. Output is pure
// ASCII, so it needs no escaping. It deliberately does not squeeze repeated lines (`*`):
// wire bytes are shown as they are, and `maxBytes` caps the length instead.
import type { Paint } from './paint.js';

export interface HexdumpOptions {
  /** Added to the printed addresses (e.g. where this slice sits in the stream). */
  offset?: number;
  /** Show at most this many bytes, then a "… N more bytes" line. */
  maxBytes?: number;
  /** The bytes' whole length, when `buf` holds only their beginning (a body kept in part):
   * what the "… N more bytes" line counts. */
  totalBytes?: number;
}

const BYTES_PER_LINE = 16;

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

export function formatHexdump(buf: Buffer, opts: HexdumpOptions, paint: Paint): string[] {
  const base = opts.offset ?? 0;
  const shown = Math.min(buf.length, opts.maxBytes ?? buf.length);
  const lines: string[] = [];
  for (let start = 0; start < shown; start += BYTES_PER_LINE) {
    const row = buf.subarray(start, Math.min(start + BYTES_PER_LINE, shown));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < BYTES_PER_LINE; i++) {
      if (i === 8) hex += ' ';
      const b = row[i];
      if (b === undefined) {
        hex += '   ';
        continue;
      }
      hex += hex2(b) + ' ';
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : paint.dim('.');
    }
    const address = (base + start).toString(16).padStart(8, '0');
    lines.push(`${paint.dim(address)}  ${hex} ${paint.dim('|')}${ascii}${paint.dim('|')}`);
  }
  const total = Math.max(buf.length, opts.totalBytes ?? 0);
  if (shown < total) {
    const more = total - shown;
    lines.push(paint.dim(`… ${more} more byte${more === 1 ? '' : 's'}`));
  }
  return lines;
}
