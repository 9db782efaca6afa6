// The bytes of a minidump as the stream decoders read them: a Buffer (a dump held in memory),
// or PagedBytes, which reads only the ranges the dump's directory points at, a page at a time,
// through a read function the caller hands in (a file on the CAB worker thread). A heap dump
// of a GiB is summarised with at most PAGE_CACHE pages held. Pure: no fs here.

/** What the decoders use of a Buffer; a Buffer is one. */
export interface DumpBytes {
  readonly length: number;
  readUInt8(at: number): number;
  readUInt16LE(at: number): number;
  readUInt32LE(at: number): number;
  readInt32LE(at: number): number;
  readBigUInt64LE(at: number): bigint;
  toString(encoding: 'utf16le' | 'utf8' | 'latin1', start: number, end: number): string;
  /** Bytes [start, end) (a copy when paged). */
  subarray(start: number, end: number): Buffer;
}

export const PAGE_BYTES = 64 * 1024;
/** Pages held at once (4 MiB): the directory, the streams being read, a stack. */
export const PAGE_CACHE = 64;

/**
 * A dump of `length` bytes read through `read(pos, len)` (which returns at most `len` bytes at
 * `pos`; fewer only at the end). Reads outside [0, length) throw a RangeError as a Buffer's do;
 * the decoders check ranges before reading (DumpReader.fits).
 */
export class PagedBytes implements DumpBytes {
  private readonly pages = new Map<number, Buffer>();
  /** Bytes read from the source, for tests and the summary's cost. */
  bytesRead = 0;

  constructor(readonly length: number, private readonly source: (pos: number, len: number) => Buffer) {}

  readUInt8(at: number): number {
    return this.span(at, 1)[0]!;
  }
  readUInt16LE(at: number): number {
    return this.span(at, 2).readUInt16LE(0);
  }
  readUInt32LE(at: number): number {
    return this.span(at, 4).readUInt32LE(0);
  }
  readInt32LE(at: number): number {
    return this.span(at, 4).readInt32LE(0);
  }
  readBigUInt64LE(at: number): bigint {
    return this.span(at, 8).readBigUInt64LE(0);
  }
  toString(encoding: 'utf16le' | 'utf8' | 'latin1', start: number, end: number): string {
    const s = Math.max(0, start), e = Math.min(this.length, end);
    return e > s ? this.span(s, e - s).toString(encoding) : '';
  }
  subarray(start: number, end: number): Buffer {
    const s = Math.max(0, start), e = Math.min(this.length, end);
    return e > s ? Buffer.from(this.span(s, e - s)) : Buffer.alloc(0);
  }

  /** `n` bytes at `at`: a view of one page, or a copy gathered from several. */
  private span(at: number, n: number): Buffer {
    if (!Number.isInteger(at) || at < 0 || at + n > this.length) throw new RangeError(`read of ${n} bytes at ${at} is outside the ${this.length}-byte dump`);
    const first = Math.floor(at / PAGE_BYTES), last = Math.floor((at + n - 1) / PAGE_BYTES);
    if (first === last) {
      const off = at - first * PAGE_BYTES;
      return this.page(first).subarray(off, off + n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let p = first, done = 0; p <= last; p++) {
      const page = this.page(p);
      const from = p === first ? at - p * PAGE_BYTES : 0;
      done += page.copy(out, done, from, Math.min(page.length, from + n - done));
    }
    return out;
  }

  private page(index: number): Buffer {
    let page = this.pages.get(index);
    if (page) {
      // Most recently used last: the map's first entry is the one to evict.
      this.pages.delete(index);
      this.pages.set(index, page);
      return page;
    }
    const pos = index * PAGE_BYTES;
    const want = Math.min(PAGE_BYTES, this.length - pos);
    page = this.source(pos, want);
    if (page.length < want) throw new RangeError(`the dump's source gave ${page.length} of ${want} bytes at ${pos}`);
    this.bytesRead += page.length;
    this.pages.set(index, page);
    if (this.pages.size > PAGE_CACHE) this.pages.delete(this.pages.keys().next().value!);
    return page;
  }
}
