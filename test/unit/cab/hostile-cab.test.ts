// The red team's cabinets: MSZIP bombs (one folder, many folders), 400 file records over one
// folder, a one-line 20 MiB Version.txt, a file beyond the view's cap. Each is small on the
// wire; extraction, the view and the writer must stay within one budget per cabinet.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCab } from '../../../src/domain/cab/cab.js';
import { extractCab, extractCabStream, EXPANSION_FLOOR_BYTES } from '../../../src/domain/cab/cab-extract.js';
import { CAB_TEXT_PREVIEW_CHARS, CAB_TEXT_HOLD_BYTES, parseCabView } from '../../../src/domain/cab/cab-view.js';
import { bodyProblems } from '../../../src/domain/body/body-problems.js';
import { extractCabToDir } from '../../../src/pipeline/workers/cab-files.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { formatCabView } from '../../../src/render/format-cab-view.js';
import { plainPaint } from '../../../src/render/paint.js';
import { longLineCab, mszipBomb, overlapCab } from '../../../src/tools/fuzz/hostile-cabs.js';

const MiB = 1024 * 1024;
const BLOCK = 32768;

/** Bytes the stream hands out, all files together. */
function streamedBytes(buf: Buffer): number {
  let n = 0;
  for (const ev of extractCabStream(buf, parseCab(buf))) if (ev.type === 'data') n += ev.data.length;
  return n;
}

function problemsOf(buf: Buffer, maxFolderBytes?: number) {
  const cab = parseCabView(buf, undefined, maxFolderBytes);
  return bodyProblems({ kind: 'binary', notes: [], cab }, { length: buf.length, complete: true, data: buf } as never);
}

describe('one expansion budget per cabinet', () => {
  it('an MSZIP bomb (64 MiB of zeros from ~115 KB) stops at the floor with expansion-limit', () => {
    const bomb = mszipBomb(1, 64);
    expect(bomb.length).toBeLessThan(200_000);
    const [f] = extractCab(bomb);
    expect(f!.data).toBeUndefined();
    expect(f!.error?.code).toBe('expansion-limit');
    expect(f!.error?.message).toMatch(/^extraction stopped here, in folder 0: \d+ bytes would come out of \d+ compressed bytes read \(more than 100:1/);
    expect(streamedBytes(bomb)).toBeLessThanOrEqual(EXPANSION_FLOOR_BYTES);
    expect(problemsOf(bomb).map((p) => p.code)).toEqual(['cab-expansion']);
  });

  it('8 bombed folders share the one budget: not 8 × the floor', () => {
    const bomb = mszipBomb(8, 16);
    expect(streamedBytes(bomb)).toBeLessThanOrEqual(EXPANSION_FLOOR_BYTES);
    const out = extractCab(bomb);
    expect(out.slice(0, 2).map((f) => f.error)).toEqual([undefined, undefined]);
    expect(out[2]!.error?.message).toMatch(/^extraction stopped here, in folder 2/);
    for (const f of out.slice(3)) expect(f.error?.message).toMatch(/^not extracted: extraction of this cabinet stopped in folder 2, at file 3/);
  });

  it('a real-looking ratio is not stopped: 40 MiB of mixed data', () => {
    const data = Buffer.alloc(40 * MiB);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    for (let i = 0; i < data.length; i += 8192) data.fill(0, i, i + 4096); // ~2:1
    const cab = writeCab([{ name: 'big.hdmp', data }], { compression: 'mszip' });
    const [f] = extractCab(cab);
    expect(f!.error).toBeUndefined();
    expect(f!.data!.equals(data)).toBe(true);
  });

  it('400 records over one 8 MiB folder: an overlap problem, and copies count against the budget', () => {
    const cab = overlapCab(400, 8);
    expect(cab.length).toBeLessThan(40_000);
    expect(parseCab(cab).problems.map((p) => p.code)).toEqual(['overlapping-files']);
    expect(parseCab(cab).problems[0]!.message).toMatch(/^399 file records in folder 0 cover bytes that other records already cover \(3347054592 bytes again\)/);
    expect(streamedBytes(cab)).toBeLessThanOrEqual(EXPANSION_FLOOR_BYTES);
    expect(problemsOf(cab).map((p) => p.code)).toEqual(['cab-overlap', 'cab-expansion']);
  });

  it('the .txt-named overlap variant decodes (no "Invalid string length") and formats', () => {
    const cab = overlapCab(400, 8, 'txt');
    const view = parseCabView(cab);
    expect(view.entries).toHaveLength(400);
    const lines = formatCabView(view, plainPaint);
    expect(lines.join('\n').length).toBeLessThan(400_000);
  });

  it('a disk writer stays within the budget and leaves no partial file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wer-sniff-hostile-'));
    try {
      const res = await extractCabToDir(overlapCab(400, 8), dir);
      expect(res.bytes).toBeLessThanOrEqual(EXPANSION_FLOOR_BYTES);
      const files = readdirSync(dir);
      const onDisk = files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
      expect(onDisk).toBeLessThanOrEqual(EXPANSION_FLOOR_BYTES);
      // Every file that ended with an error was removed; the rest are whole.
      for (const f of files) expect(statSync(path.join(dir, f)).size).toBe(8 * MiB);
      expect(res.errors.filter((e) => e.code === 'expansion-limit')).toHaveLength(400 - files.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('text previews are bounded', () => {
  it('a one-line 20 MiB Version.txt previews 200 characters and says what was cut', () => {
    const cab = longLineCab(20);
    const [e] = parseCabView(cab).entries;
    expect(e!.kind).toBe('text');
    expect(e!.size).toBe(20 * MiB);
    expect(e!.text!.lines).toEqual(['A'.repeat(CAB_TEXT_PREVIEW_CHARS)]);
    expect(e!.text!.cutChars).toEqual([CAB_TEXT_HOLD_BYTES - CAB_TEXT_PREVIEW_CHARS]);
    expect(e!.text!.unreadBytes).toBe(20 * MiB - CAB_TEXT_HOLD_BYTES);
    const out = formatCabView(parseCabView(cab), plainPaint).join('\n');
    expect(out.length).toBeLessThan(4000);
    expect(out).toContain(`… (${CAB_TEXT_HOLD_BYTES - CAB_TEXT_PREVIEW_CHARS} more characters)`);
    expect(out).toContain(`… and ${20 * MiB - CAB_TEXT_HOLD_BYTES} more bytes, not read for the preview`);
  });

  it('a long line of emoji is never cut inside a surrogate pair', () => {
    const cab = writeCab([{ name: 'a.txt', data: Buffer.from('x' + '😀'.repeat(300)) }], { compression: 'none' });
    const line = parseCabView(cab).entries[0]!.text!.lines[0]!;
    expect(line.length).toBe(CAB_TEXT_PREVIEW_CHARS - 1);
    expect(/[\ud800-\udbff]$/.test(line)).toBe(false);
  });
});

describe('a valid file beyond the view cap', () => {
  it('is too-large, not a damaged cabinet', () => {
    const cab = writeCab([{ name: 'huge.hdmp', data: Buffer.alloc(5 * BLOCK, 7) }], { compression: 'mszip' });
    const problems = problemsOf(cab, 2 * BLOCK);
    expect(problems.map((p) => p.code)).toEqual(['too-large']);
    expect(problems[0]!.message).toMatch(/^"huge\.hdmp" \(163840 bytes\): ends 163840 bytes into folder 0, beyond the 65536 bytes the view decodes/);
  });
});

describe('a large minidump in a CAB', () => {
  it('is summarised from its first 16 MiB; what lies beyond is counted as not read, not damage', async () => {
    const { writeMinidump } = await import('../../../src/domain/minidump/minidump-writer.js');
    const { CRASH } = await import('../minidump/crash-fixture.js');
    const { CAB_DUMP_HOLD_BYTES } = await import('../../../src/domain/cab/cab-view.js');
    const small = writeMinidump(CRASH);
    // The same dump followed by 20 MiB of captured "memory".
    const big = Buffer.concat([small, Buffer.alloc(20 * MiB, 0x5a)]);
    const cab = writeCab([{ name: 'WER1.tmp.hdmp', data: big }], { compression: 'mszip' });
    const [whole] = parseCabView(cab).entries;
    expect(whole!.kind).toBe('minidump');
    expect(whole!.size).toBe(big.length);
    expect(whole!.minidump!.exception?.code).toBe('c0000005');
    expect(whole!.minidump!.modules).toHaveLength(4);
    expect(whole!.minidump!.problems).toEqual([]);
    expect(whole!.minidump!.partial).toEqual({ held: CAB_DUMP_HOLD_BYTES, size: big.length, skipped: 0 });
    const { parseMinidump } = await import('../../../src/domain/minidump/minidump.js');
    // A stream past the held part is skipped, not a problem; past the real end it is one.
    const moved = Buffer.from(small);
    const dir = moved.readUInt32LE(12);
    for (let i = 0; i < moved.readUInt32LE(8); i++) moved.writeUInt32LE(CAB_DUMP_HOLD_BYTES + 100, dir + i * 12 + 8);
    const s = parseMinidump(moved, CAB_DUMP_HOLD_BYTES + 1000);
    expect(s.problems).toEqual([]);
    expect(s.partial!.skipped).toBeGreaterThan(0);
    expect(parseMinidump(moved).problems.map((p) => p.code)).toContain('rva-out-of-range');
  });
});
