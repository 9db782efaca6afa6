// What a fuzz target is. Adding one is one small file in targets/ and one line in
// targets/index.ts: a name, which seeds it starts from, which format-aware mutations suit it,
// and `run`, which feeds one input to the code under test and throws when an invariant breaks.
import type { Mutator } from './mutate.js';

/** A starting input: a file from the vectors, samples or fixtures, or one generated here. */
export interface SeedFile {
  name: string;
  bytes: Buffer;
}

export interface FuzzTarget {
  name: string;
  /** One line: what it feeds and what it checks. */
  about: string;
  /** The seeds this target starts from (at least one). */
  seeds(files: readonly SeedFile[]): Buffer[];
  /** Format-aware mutations, used alongside the byte-level ones. */
  mutators: readonly Mutator[];
  /** One input through the code under test. Throws (InvariantError or anything the code
   * threw) when something is wrong; the engine times it. Must be deterministic. */
  run(input: Buffer): void;
}

export const isHttp = (f: SeedFile): boolean => /\.http$/.test(f.name);
export const isCabFile = (f: SeedFile): boolean => f.bytes.subarray(0, 4).toString('latin1') === 'MSCF';
export const hasMagic = (magic: string) => (f: SeedFile): boolean => f.bytes.includes(magic, 0, 'latin1');
