// Name amplification and claimed counts: a dump's summary (and the work to build it) must be
// bounded by the bytes present. The red-team dump has 160,000 module records sharing one
// 64 KiB name; decoding every name is 10 GB of text and ran V8 out of memory.
import { describe, expect, it } from 'vitest';
import { MINIDUMP_CAPS, MODULE_SIZE, parseMinidump } from '../../../src/domain/minidump/minidump.js';
import { formatMinidump } from '../../../src/render/format-minidump.js';
import { plainPaint } from '../../../src/render/paint.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { mutateMinidumpCounts, mutateMinidumpSharedNames } from '../../../src/tools/fuzz/mutate-minidump.js';
import { createRng } from '../../../src/tools/fuzz/rng.js';
import { amplifiedMinidump } from '../../helpers/amplified-dump.js';
import { CRASH } from './crash-fixture.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const jsonSize = (x: unknown): number => JSON.stringify(x).length;

describe('shared module names', () => {
  it('20,000 modules sharing one 64 KiB name: 1,000 listed, counts exact, a capped problem', () => {
    const sum = parseMinidump(amplifiedMinidump({ modules: 20_000 }));
    expect(sum.modules).toHaveLength(MINIDUMP_CAPS.modules);
    expect(sum.moduleCount).toBe(20_000);
    expect(sum.moduleNames).toBe(1);
    expect(sum.modules[0]!.name).toHaveLength(MINIDUMP_CAPS.nameChars);
    expect(sum.modules[0]!.name.startsWith('C:\\amplified\\C:\\amplified\\')).toBe(true);
    expect(sum.problems.map((p) => p.code)).toEqual(['capped', 'capped', 'capped']);
    expect(sum.problems.map((p) => p.message)).toEqual([
      `name of module 0 at RVA ${sum.streams[3]!.rva + 4 + 20_000 * MODULE_SIZE} is 32,768 characters; the first 1,024 are kept`,
      'names beyond 262,144 characters in all are not kept (from name of module 256 on)',
      'ModuleListStream holds 20,000 modules; the first 1,000 are listed',
    ]);
    expect(jsonSize(sum)).toBeLessThan(1_000_000);
  });

  it('160,000 modules: summarised in bounded time and size, the faulting module still found', () => {
    const dump = amplifiedMinidump();
    const t0 = cpuMs();
    const sum = parseMinidump(dump);
    const ms = cpuMs() - t0;
    expect(ms).toBeLessThan(5_000); // ~100 ms here; the unbounded decoder needed > 30 s and 4 GB
    expect(sum.moduleCount).toBe(160_000);
    expect(sum.moduleNames).toBe(1);
    expect(sum.modules).toHaveLength(1000);
    // the exception lies in the last record, beyond both the list and the sorted index
    expect(sum.exception?.module?.offset).toBe('0x1234');
    expect(sum.exception?.module?.name).toHaveLength(MINIDUMP_CAPS.nameChars);
    expect(jsonSize(sum)).toBeLessThan(1_000_000);
    const lines = formatMinidump(sum, plainPaint);
    expect(lines[0]).toContain('· 160,000 modules (1 distinct name, 1,000 listed) · 1 thread');
    expect(lines[1]).toBe('  the faulting module is not among the 1,000 listed');
    expect(lines.join('\n').length).toBeLessThan(10_000);
  });

  it('distinct overlapping names (every RVA a 32 KiB string): each cut to 1,024 characters, all within the text budget', () => {
    const sum = parseMinidump(amplifiedMinidump({ modules: 20_000, overlap: true }));
    expect(sum.moduleNames).toBe(16_384);
    const chars = sum.modules.filter((m) => !/^<module \d+>$/.test(m.name)).reduce((n, m) => n + m.name.length, 0);
    expect(chars).toBeLessThanOrEqual(MINIDUMP_CAPS.textChars);
    expect(sum.modules.every((m) => m.name.length <= MINIDUMP_CAPS.nameChars)).toBe(true);
    expect(sum.problems.length).toBeLessThanOrEqual(MINIDUMP_CAPS.problems + 1);
    expect(sum.problems.at(-1)).toMatchObject({ code: 'more-problems', message: expect.stringMatching(/^[\d,]+ more problems not listed$/) });
    expect(jsonSize(sum)).toBeLessThan(2_000_000);
  });
});

describe('claimed counts with little data', () => {
  const buf = writeMinidump(CRASH);
  const mlEntry = 32 + 12 * 2; // the writer's third directory entry is the module list

  it('NumberOfStreams 0xffffffff walks only the directory bytes present', () => {
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(0xffffffff, 8);
    const t0 = cpuMs();
    const sum = parseMinidump(bad);
    expect(cpuMs() - t0).toBeLessThan(1_000);
    expect(sum.streams.length).toBeLessThanOrEqual(MINIDUMP_CAPS.streams);
    expect(sum.system?.arch).toBe('AMD64');
  });

  it('a directory of 100,000 streams lists 256 and still finds the known ones', () => {
    const n = 100_000;
    const dir = Buffer.alloc(n * 12);
    for (let i = 0; i < n; i++) dir.writeUInt32LE(0x1000 + i, i * 12);
    buf.copy(dir, (n - 4) * 12, 32, 32 + 4 * 12); // the real entries last
    const bad = Buffer.concat([buf, dir]);
    bad.writeUInt32LE(n, 8);
    bad.writeUInt32LE(buf.length, 12);
    const sum = parseMinidump(bad);
    expect(sum.streams).toHaveLength(MINIDUMP_CAPS.streams);
    expect(sum.problems).toEqual([{ code: 'capped', message: 'the directory holds 100,000 streams; the first 256 are listed', offset: buf.length }]);
    expect(sum.modules).toHaveLength(4);
    expect(sum.exception?.module?.name).toMatch(/render\.dll$/);
  });

  it('NumberOfModules and DataSize claiming 39 million modules: only the records present are read', () => {
    const bad = Buffer.from(buf);
    const rva = bad.readUInt32LE(mlEntry + 8);
    bad.writeUInt32LE(39_768_215, rva);
    bad.writeUInt32LE((4 + 39_768_215 * MODULE_SIZE) >>> 0, mlEntry + 4);
    const sum = parseMinidump(bad);
    expect(sum.moduleCount).toBeLessThanOrEqual(Math.floor(buf.length / MODULE_SIZE));
    expect(sum.problems.length).toBeGreaterThan(0);
  });

  it('every module name out of range: one problem per distinct RVA, at most 64 plus a count', () => {
    const records = 5000;
    const dump = amplifiedMinidump({ modules: records, nameBytes: 16 });
    const first = dump.readUInt32LE(12 + 3 * 12 + 8 + 20) + 4; // ModuleListStream RVA, past the count
    for (let i = 0; i < records; i++) dump.writeUInt32LE(0x7fff0000 + i * 2, first + i * MODULE_SIZE + 20);
    const sum = parseMinidump(dump);
    expect(sum.problems).toHaveLength(MINIDUMP_CAPS.problems + 1);
    // 1,000 listed names + the faulting module's + the list cap = 1,002 problems
    expect(sum.problems.at(-1)).toEqual({ code: 'more-problems', message: '938 more problems not listed' });
  });
});

describe('amplifying fuzz mutations', () => {
  const seed = writeMinidump(CRASH);

  it('mutateMinidumpSharedNames points every module at one name', () => {
    const rng = createRng(7);
    const out = mutateMinidumpSharedNames(seed, rng, []);
    const sum = parseMinidump(out);
    expect(sum.moduleCount).toBe(4);
    expect(sum.moduleNames).toBe(1);
  });

  it('the mutated dumps all stay within the summary caps', () => {
    const rng = createRng(11);
    for (let i = 0; i < 300; i++) {
      const m = i % 2 ? mutateMinidumpSharedNames : mutateMinidumpCounts;
      const sum = parseMinidump(m(i % 5 ? seed : amplifiedMinidump({ modules: 3000 }), rng, []));
      expect(sum.modules.length).toBeLessThanOrEqual(MINIDUMP_CAPS.modules);
      expect(jsonSize(sum)).toBeLessThan(2_000_000);
    }
  });
});
