// A ring of bytes in shared memory between one writer thread and one reader thread: the relay
// thread copies tapped bytes in, the main thread copies them out. Unlike a fresh buffer per
// batch it allocates nothing, so the relay thread makes no garbage (a thread whose garbage is
// all ArrayBuffers collects it only every ~64 MB of them, which showed as +50 MB of RSS).
// Positions count bytes modulo 2^31; the reader publishes how far it has read, the writer
// never overwrites what was not read. A piece is stored in one run: one that would wrap starts
// at the beginning instead, and the skipped tail counts as written.

const MOD = 2 ** 31;

export interface ByteRingMemory {
  data: SharedArrayBuffer;
  /** One Int32: how far the reader has read. */
  read: SharedArrayBuffer;
}

/** `size` must be a power of two (so that it divides 2^31). */
export function byteRingMemory(size: number): ByteRingMemory {
  if (size <= 0 || (size & (size - 1)) !== 0) throw new RangeError(`ring size ${size} is not a power of two`);
  return { data: new SharedArrayBuffer(size), read: new SharedArrayBuffer(4) };
}

export class ByteRingWriter {
  private readonly data: Uint8Array;
  private readonly read: Int32Array;
  /** Position after the last byte written. */
  head = 0;

  constructor(mem: ByteRingMemory) {
    this.data = new Uint8Array(mem.data);
    this.read = new Int32Array(mem.read);
  }

  /** Copies `bytes` in; returns where they start in the ring, or -1 when there is no room. */
  put(bytes: Uint8Array): number {
    const size = this.data.length;
    const at = this.head % size;
    const skip = at + bytes.length > size ? size - at : 0;
    const used = (this.head - Atomics.load(this.read, 0) + MOD) % MOD;
    if (used + skip + bytes.length > size) return -1;
    const start = (at + skip) % size;
    this.data.set(bytes, start);
    this.head = (this.head + skip + bytes.length) % MOD;
    return start;
  }
}

export class ByteRingReader {
  private readonly data: Uint8Array;
  private readonly read: Int32Array;

  constructor(mem: ByteRingMemory) {
    this.data = new Uint8Array(mem.data);
    this.read = new Int32Array(mem.read);
  }

  /** A copy of `length` bytes at `start` (the ring's memory is the writer's again later). */
  take(start: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    out.set(this.data.subarray(start, start + length));
    return out;
  }

  /** Everything before writer position `head` has been taken. */
  release(head: number): void {
    Atomics.store(this.read, 0, head);
  }
}
