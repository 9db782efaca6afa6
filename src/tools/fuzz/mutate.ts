// Byte-level mutations for the fuzzer: bit flips, byte sets, inserts, deletes, duplications,
// amplification (one slice repeated until the input is large, to expose super-linear time),
// splices with another seed, interesting integers written over any offset, and numbers in text
// (Content-Length values, chunk sizes) replaced by interesting ones. Format-aware mutations
// (HTTP, UTF-16, CAB, minidump) live in mutate-formats.ts. Pure: buffers in, buffers out.
import type { Rng } from './rng.js';

/** One mutation: a new buffer from `input` (never changes `input`). `others`: seeds to splice. */
export type Mutator = (input: Buffer, rng: Rng, others: readonly Buffer[]) => Buffer;

/** No mutation grows an input beyond this. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

export const INTERESTING_32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
  16, 32, 36, 64, 100, 1000, 4096, 0x7fff8000,
];
export const INTERESTING_TEXT = [
  '0', '-1', '-0', '+5', '1e3', '0x10', '00000000000000000001', '4294967296', '4294967295', '9007199254740993',
  '18446744073709551616', '99999999999999999999999', ' 5', '5 ', '5, 6', '5,5', '', 'ffffffffffffffff', 'fffffffffffff', '7fffffff',
];
/** Bytes that matter to the parsers: line ends, separators, quotes, NUL, ESC, high bytes. */
const TOKENS = ['\r\n', '\n', '\r', ' ', ':', ';', '\0', '\x1b', '<', '>', '"', '&', '/', '\\', '..', '\r\n\r\n', '\xff', '\xfe'];

function clampLen(b: Buffer): Buffer {
  return b.length > MAX_INPUT_BYTES ? b.subarray(0, MAX_INPUT_BYTES) : b;
}

function concat(...parts: Buffer[]): Buffer {
  return clampLen(Buffer.concat(parts));
}

export const flipBit: Mutator = (b, r) => {
  if (b.length === 0) return b;
  const out = Buffer.from(b);
  const i = r.int(out.length);
  out[i] = out[i]! ^ (1 << r.int(8));
  return out;
};

export const setByte: Mutator = (b, r) => {
  if (b.length === 0) return Buffer.from([r.int(256)]);
  const out = Buffer.from(b);
  out[r.int(out.length)] = r.chance(0.5) ? r.int(256) : r.pick([0, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0xff, 0x20, 0x3c, 0x3e]);
  return out;
};

export const insertBytes: Mutator = (b, r) => {
  const at = r.int(b.length + 1);
  const ins = r.chance(0.5)
    ? Buffer.from(r.pick(TOKENS), 'latin1')
    : Buffer.from(Array.from({ length: 1 + r.int(16) }, () => r.int(256)));
  return concat(b.subarray(0, at), ins, b.subarray(at));
};

export const deleteRange: Mutator = (b, r) => {
  if (b.length === 0) return b;
  const at = r.int(b.length);
  const n = 1 + r.int(r.chance(0.8) ? 8 : Math.max(1, b.length - at));
  return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
};

export const duplicateRange: Mutator = (b, r) => {
  if (b.length === 0) return b;
  const at = r.int(b.length);
  const n = 1 + r.int(Math.min(256, b.length - at));
  const to = r.int(b.length + 1);
  return concat(b.subarray(0, to), b.subarray(at, at + n), b.subarray(to));
};

/** Repeats one slice until the input is 64 KiB–1 MiB: quadratic code shows up as slowness. */
export const amplify: Mutator = (b, r) => {
  if (b.length === 0) return b;
  const at = r.int(b.length);
  const slice = b.subarray(at, at + 1 + r.int(Math.min(64, b.length - at)));
  const target = (64 << r.int(5)) * 1024; // 64 KiB … 1 MiB
  const times = Math.max(1, Math.floor(target / slice.length));
  return concat(b.subarray(0, at), Buffer.alloc(slice.length * times, slice), b.subarray(at));
};

export const truncate: Mutator = (b, r) => b.subarray(0, r.int(b.length + 1));

export const splice: Mutator = (b, r, others) => {
  if (others.length === 0) return b;
  const o = r.pick(others);
  const cut = r.int(b.length + 1);
  const from = r.int(o.length + 1);
  return concat(b.subarray(0, cut), o.subarray(from, from + 1 + r.int(Math.max(1, o.length - from))));
};

/** An interesting u8/u16/u32 (LE or BE) over a random offset: length and count fields. */
export const interestingInt: Mutator = (b, r) => {
  if (b.length < 4) return setByte(b, r, []);
  const out = Buffer.from(b);
  const v = r.pick(INTERESTING_32);
  const size = r.pick([1, 2, 4]);
  const at = r.int(out.length - size + 1);
  if (size === 1) out[at] = v & 0xff;
  else if (size === 2) r.chance(0.5) ? out.writeUInt16LE(v & 0xffff, at) : out.writeUInt16BE(v & 0xffff, at);
  else r.chance(0.5) ? out.writeUInt32LE(v >>> 0, at) : out.writeUInt32BE(v >>> 0, at);
  return out;
};

/** A run of decimal or hex digits in the text replaced by an interesting number. */
export const replaceNumber: Mutator = (b, r) => {
  const s = b.toString('latin1');
  const runs = [...s.matchAll(/[0-9A-Fa-f]+/g)];
  if (runs.length === 0) return insertBytes(b, r, []);
  const m = r.pick(runs);
  const at = m.index!;
  return concat(b.subarray(0, at), Buffer.from(r.pick(INTERESTING_TEXT), 'latin1'), b.subarray(at + m[0].length));
};

/** Amplification is applied by the engine, rarely (engine.ts AMPLIFY_RATE). */
export const BYTE_MUTATORS: readonly Mutator[] = [
  flipBit, setByte, insertBytes, deleteRange, duplicateRange, truncate, splice, interestingInt, replaceNumber,
];
