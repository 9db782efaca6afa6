// Bounds-checked access to the dump's bytes for the stream decoders: range checks that record
// why a read failed, a problem list capped at MINIDUMP_CAPS.problems, and MINIDUMP_STRING
// decoding that decodes each string RVA once, keeps at most MINIDUMP_CAPS.nameChars of it and
// charges every use against the summary's text budget. Reads never throw.
import { MINIDUMP_CAPS, count, type MinidumpProblem } from './types.js';
import type { DumpBytes } from './dump-bytes.js';

/** A string read from the dump: its kept text (possibly cut) and its full length in chars. */
interface DecodedString { text: string; chars: number }

export class DumpReader {
  readonly problems: MinidumpProblem[] = [];
  private dropped = 0;
  private readonly strings = new Map<number, DecodedString | undefined>();
  private textLeft: number = MINIDUMP_CAPS.textChars;
  private textCapped = false;

  /** Structures that lie past `buf` but inside the dump's real `size` (only its beginning was
   * given): not read, and not damage either. */
  skipped = 0;

  /** `size`: the dump's real length when `buf` holds only its beginning. */
  constructor(readonly buf: DumpBytes, readonly size = buf.length) {}

  problem(code: string, message: string, offset?: number): void {
    if (this.problems.length >= MINIDUMP_CAPS.problems) {
      this.dropped++;
      return;
    }
    this.problems.push(offset === undefined ? { code, message } : { code, message, offset });
  }

  /** True when [rva, rva+size) lies inside the buffer; else records why not. */
  fits(rva: number, size: number, what: string): boolean {
    if (rva + size <= this.buf.length) return true;
    const len = this.size;
    if (rva + size <= len) {
      this.skipped++;
      return false;
    }
    if (rva >= len) this.problem('rva-out-of-range', `${what} at RVA ${rva} is beyond the end (${len} bytes)`, rva);
    else this.problem('truncated', `${what} at RVA ${rva} needs ${size} bytes but the dump ends at ${len}`, rva);
    return false;
  }

  /** True when [rva, rva+size) lies inside the buffer; no problem recorded. */
  has(rva: number, size: number): boolean {
    return rva >= 0 && size >= 0 && rva + size <= this.buf.length;
  }

  /** How many of `n` claimed `size`-byte records starting at `first` the stream (ending at
   * `end`) and the buffer hold, with a problem when fewer than `n`. */
  records(what: string, first: number, end: number, n: number, size: number, item: string): number {
    const inStream = Math.max(0, Math.floor((end - first) / size));
    const inBuffer = Math.max(0, Math.floor((this.buf.length - first) / size));
    if (n <= Math.min(inStream, inBuffer)) return n;
    if (inStream <= inBuffer) {
      this.problem('stream-too-small', `${what} lists ${n} ${item}s but holds ${inStream}`, first + inStream * size);
      return inStream;
    }
    this.fits(first + inBuffer * size, size, `${item} ${inBuffer}`);
    return inBuffer;
  }

  /** u64 at `at` as a bigint, or undefined when outside the buffer. */
  u64(at: number): bigint | undefined {
    return this.has(at, 8) ? this.buf.readBigUInt64LE(at) : undefined;
  }

  /** MINIDUMP_STRING at `rva` (u32 Length in bytes, then UTF-16LE), at most nameChars of it.
   * Each RVA is decoded (and any problem with it recorded) once; every call spends the kept
   * length from the summary's text budget, and once that is gone returns undefined.
   * `free` skips the budget, for the few names a summary must show (the faulting module's). */
  string(rva: number, what: string, free = false): string | undefined {
    let s = this.strings.get(rva);
    if (!this.strings.has(rva)) {
      s = this.decode(rva, what);
      this.strings.set(rva, s);
    }
    if (!s || free) return s?.text;
    return this.spend(s.text, what, rva);
  }

  /** `text` when the summary's text budget still holds it (which it then shrinks). */
  spend(text: string, what: string, rva: number): string | undefined {
    if (text.length > this.textLeft) {
      if (!this.textCapped) {
        this.textCapped = true;
        this.problem('capped', `names beyond ${count(MINIDUMP_CAPS.textChars)} characters in all are not kept (from ${what} on)`, rva);
      }
      return undefined;
    }
    this.textLeft -= text.length;
    return text;
  }

  private decode(rva: number, what: string): DecodedString | undefined {
    if (!this.fits(rva, 4, what)) return undefined;
    const len = this.buf.readUInt32LE(rva);
    if (len > 0x10000) {
      this.problem('bad-string', `${what} at RVA ${rva} claims ${count(len)} bytes (more than 64 KiB)`, rva);
      return undefined;
    }
    if (!this.fits(rva + 4, len, what)) return undefined;
    const chars = len >>> 1;
    const keep = Math.min(chars, MINIDUMP_CAPS.nameChars);
    if (keep < chars) this.problem('capped', `${what} at RVA ${rva} is ${count(chars)} characters; the first ${count(keep)} are kept`, rva);
    return { text: this.buf.toString('utf16le', rva + 4, rva + 4 + keep * 2), chars };
  }

  /** The problems, with one 'more-problems' entry counting those not listed. */
  finish(): MinidumpProblem[] {
    if (this.dropped > 0) this.problems.push({ code: 'more-problems', message: `${count(this.dropped)} more problems not listed` });
    return this.problems;
  }
}
