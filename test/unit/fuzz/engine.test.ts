// The fuzz harness itself: runs replay by seed, a broken target is caught (exception, invariant,
// slowness) and minimised, mutations stay bounded, and the terminal check rejects what it must.
import { describe, expect, it } from 'vitest';
import { fuzz, makeInput, minimise, runOne, signature, timeLimit, type Failure } from '../../../src/tools/fuzz/engine.js';
import { checkTerminalText, fail } from '../../../src/tools/fuzz/check.js';
import { BYTE_MUTATORS, MAX_INPUT_BYTES, amplify } from '../../../src/tools/fuzz/mutate.js';
import { mutateCab, mutateHttpLengths, mutateMinidump, mutateUtf16 } from '../../../src/tools/fuzz/mutate-formats.js';
import { createRng } from '../../../src/tools/fuzz/rng.js';
import { generatedSeeds } from '../../../src/tools/fuzz/seeds.js';
import type { FuzzTarget } from '../../../src/tools/fuzz/target.js';
import { parseCab } from '../../../src/domain/cab/cab.js';

const seeds = generatedSeeds().map((f) => f.bytes);

function target(run: (b: Buffer) => void): FuzzTarget {
  return { name: 'test', about: '', seeds: () => seeds, mutators: [...BYTE_MUTATORS, mutateHttpLengths, mutateUtf16, mutateCab, mutateMinidump], run };
}

describe('fuzz engine', () => {
  it('the same seed makes the same inputs; another seed other ones', () => {
    const t = target(() => {});
    const a = Array.from({ length: 200 }, (_, n) => makeInput(t, seeds, 7, n));
    const b = Array.from({ length: 200 }, (_, n) => makeInput(t, seeds, 7, n));
    const c = Array.from({ length: 200 }, (_, n) => makeInput(t, seeds, 8, n));
    expect(a.map((x) => x.toString('base64'))).toEqual(b.map((x) => x.toString('base64')));
    expect(a.slice(seeds.length).filter((x, i) => !x.equals(c[seeds.length + i]!)).length).toBeGreaterThan(150);
    // every seed first, unchanged
    expect(a.slice(0, seeds.length)).toEqual(seeds);
  });

  it('mutations change inputs and never exceed the size bound', () => {
    const r = createRng(99);
    let changed = 0;
    for (let i = 0; i < 2000; i++) {
      const s = r.pick(seeds);
      const m = r.pick([...BYTE_MUTATORS, mutateHttpLengths, mutateUtf16, mutateCab, mutateMinidump]);
      const out = m(s, r, seeds);
      expect(out.length).toBeLessThanOrEqual(MAX_INPUT_BYTES);
      if (!out.equals(s)) changed++;
    }
    expect(changed).toBeGreaterThan(1500); // CAB and minidump edits leave other inputs alone
    const big = amplify(Buffer.from('<a x="1">'), createRng(3), []);
    expect(big.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('CAB mutations reach header fields: some cabinets get problems they did not have', () => {
    const cab = seeds.find((s) => s.subarray(0, 4).toString('latin1') === 'MSCF')!;
    expect(parseCab(cab).problems).toEqual([]);
    const r = createRng(5);
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) for (const p of parseCab(mutateCab(cab, r, [])).problems) codes.add(p.code);
    expect([...codes]).toEqual(expect.arrayContaining(['size-mismatch', 'offset-out-of-range']));
  });

  it('catches an exception in the target and minimises the input to what triggers it', () => {
    // "bug": any input holding the byte 0x1b with a ']' right after it
    const t = target((b) => {
      const i = b.indexOf(0x1b);
      if (i >= 0 && b[i + 1] === 0x5d) throw new TypeError('boom');
    });
    const stats = fuzz(t, seeds, { seed: 1, count: 3000, maxInputMs: 1000, now: () => performance.now() });
    expect(stats.failures.length).toBe(1);
    const f = stats.failures[0]!;
    expect(f).toMatchObject({ kind: 'exception', message: 'TypeError: boom' });
    expect(stats.failureCount).toBeGreaterThan(1); // duplicates are counted, kept once
    const small = minimise(t, f, () => performance.now());
    expect(small.input.toString('latin1')).toBe('\x1b]');
  });

  it('reports a broken invariant as such, and a slow input (measured twice) as slow', () => {
    const inv = runOne(target(() => fail('bytes lost')), Buffer.from('x'), 1000, () => 0);
    expect(inv).toMatchObject({ kind: 'invariant', message: 'InvariantError: bytes lost' });
    let clock = 0;
    const slow = target(() => {
      clock += 1500;
    });
    expect(runOne(slow, Buffer.from('x'), 1000, () => clock)).toMatchObject({ kind: 'slow' });
    // slow once (a GC pause), fast on the retry: not a failure
    let calls = 0;
    const once = target(() => {
      clock += calls++ === 0 ? 1500 : 10;
    });
    expect(runOne(once, Buffer.from('x'), 1000, () => clock)).toBeUndefined();
    expect(timeLimit(1000, 1024 * 1024)).toBe(4000);
  });

  it('signatures group failures by kind, place and message without numbers', () => {
    const a: Pick<Failure, 'kind' | 'message' | 'where'> = { kind: 'exception', message: 'RangeError: offset 12 out of range', where: 'parseCab (src/decode/wer/cab.ts:10)' };
    expect(signature(a)).toBe(signature({ ...a, message: 'RangeError: offset 99 out of range' }));
    expect(signature(a)).not.toBe(signature({ ...a, where: 'parseMinidump (src/decode/wer/minidump.ts:3)' }));
  });
});

describe('terminal check', () => {
  it('rejects raw controls, C1, bidi and lone surrogates; accepts SGR only with colour', () => {
    for (const s of ['a\x1b]0;t\x07', 'a\x1b[2J', '\u202eabc', 'x\x9by', 'a\rb', 'a\tb', '\ud800x', '\u2028']) {
      expect(() => checkTerminalText(s, true, 't'), JSON.stringify(s)).toThrow(/human output/);
    }
    expect(() => checkTerminalText('\x1b[1;35m#1\x1b[22;39m ok\n😀', true, 't')).not.toThrow();
    expect(() => checkTerminalText('\x1b[1;35m#1', false, 't')).toThrow(/U\+001b/);
  });
});
