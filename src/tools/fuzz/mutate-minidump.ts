// Minidump mutations aimed at amplification: inputs whose claimed work is far larger than
// their bytes. Many module records pointed at one shared (long) name string, and counts
// (streams, modules, threads, memory ranges, string lengths) raised far beyond the data
// behind them. Used next to mutateMinidump, which sets single fields to interesting numbers.
import type { Rng } from './rng.js';
import type { Mutator } from './mutate.js';
import { mutateEmbedded } from './mutate-formats.js';

const MODULE_SIZE = 108, DIRECTORY_SIZE = 12;

/** Locations of the first `types` streams found in the directory: type → RVA. */
function streamRvas(d: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  if (d.length < 32) return out;
  const n = Math.min(d.readUInt32LE(8), 64), dir = d.readUInt32LE(12);
  for (let i = 0; i < n; i++) {
    const e = dir + i * DIRECTORY_SIZE;
    if (e + DIRECTORY_SIZE > d.length) break;
    const type = d.readUInt32LE(e), rva = d.readUInt32LE(e + 8);
    if (rva + 4 <= d.length && !out.has(type)) out.set(type, rva);
  }
  return out;
}

/** Every ModuleNameRva of the module list set to one RVA (a module's name, or any even
 * offset), and sometimes that string's Length raised to 64 KiB, or to what the buffer holds. */
export const mutateMinidumpSharedNames: Mutator = (b, r) => mutateEmbedded(b, 'MDMP', (d: Buffer, rng: Rng) => {
  const ml = streamRvas(d).get(4);
  if (ml === undefined) return;
  const records = Math.min(d.readUInt32LE(ml), Math.floor((d.length - ml - 4) / MODULE_SIZE));
  if (records <= 0) return;
  const target = rng.chance(0.7) ? d.readUInt32LE(ml + 4 + 20) : rng.int(d.length) & ~1;
  for (let i = 0; i < records; i++) d.writeUInt32LE(target >>> 0, ml + 4 + i * MODULE_SIZE + 20);
  if (target + 4 <= d.length && rng.chance(0.6)) {
    d.writeUInt32LE(rng.chance(0.5) ? 0x10000 : (d.length - target - 4) & ~1, target);
  }
}, r);

/** A count raised far beyond its data: NumberOfStreams, NumberOfModules, NumberOfThreads,
 * NumberOfMemoryRanges (32- or 64-bit list), or the module list's count with its DataSize to
 * match, so the records it claims run past the end of the dump. */
export const mutateMinidumpCounts: Mutator = (b, r) => mutateEmbedded(b, 'MDMP', (d: Buffer, rng: Rng) => {
  if (d.length < 32) return;
  const huge = rng.pick([0xffffffff, 0x7fffffff, 0x10000000, 160_000, 1_000_000, 65_536]);
  const streams = streamRvas(d);
  const fields: Array<() => void> = [() => d.writeUInt32LE(huge, 8)];
  for (const type of [3, 4, 5, 8, 9, 14, 17, 24]) {
    const rva = streams.get(type);
    if (rva !== undefined) fields.push(() => d.writeUInt32LE(huge, rva));
  }
  const dir = d.readUInt32LE(12);
  fields.push(() => {
    // module list count and its directory DataSize, claimed together
    for (let i = 0; i < Math.min(d.readUInt32LE(8), 64); i++) {
      const e = dir + i * DIRECTORY_SIZE;
      if (e + DIRECTORY_SIZE > d.length) return;
      if (d.readUInt32LE(e) !== 4) continue;
      const rva = d.readUInt32LE(e + 8);
      if (rva + 4 > d.length) return;
      const n = rng.pick([160_000, 1_000_000, 39_768_215]);
      d.writeUInt32LE(n, rva);
      d.writeUInt32LE((4 + n * MODULE_SIZE) >>> 0, e + 4);
      return;
    }
  });
  rng.pick(fields)();
}, r);
