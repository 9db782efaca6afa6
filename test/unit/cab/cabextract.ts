// Runs Debian's cabextract (libmspack) as an independent reference: listing, extraction, test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { peer } from '../../helpers/peers.js';

export const HAS_CABEXTRACT = peer('cabextract');
export const NO_CABEXTRACT = HAS_CABEXTRACT ? '' : ' [skipped: cabextract not installed]';

export interface ListedFile { size: number; date: string; name: string }

/** Runs cabextract on `cab` (written to a temp file) with `args`; returns status and output. */
function run(cab: Buffer, args: string[], fn?: (dir: string) => void): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'wer-sniff-cab-'));
  try {
    const file = path.join(dir, 'in.cab');
    writeFileSync(file, cab);
    const r = spawnSync('cabextract', [...args, file], { cwd: dir });
    fn?.(dir);
    return { status: r.status, out: r.stdout.toString('latin1') + r.stderr.toString('latin1') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `cabextract -l`: names come back as raw bytes (read here as latin1), `\` shown as `/`. */
export function cabextractList(cab: Buffer): ListedFile[] {
  const { out } = run(cab, ['-l']);
  const rows: ListedFile[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+) \| (\d\d)\.(\d\d)\.(\d{4}) (\d\d:\d\d:\d\d) \| (.*)$/.exec(line);
    if (m) rows.push({ size: Number(m[1]), date: `${m[4]}-${m[3]}-${m[2]} ${m[5]}`, name: m[6]! });
  }
  return rows;
}

/** `cabextract -t`: exit status 0 means every file checked out (incl. CFDATA checksums). */
export function cabextractTest(cab: Buffer): { ok: boolean; out: string } {
  const { status, out } = run(cab, ['-t']);
  return { ok: status === 0, out };
}

/** `cabextract -d out`: every file it wrote, keyed by its relative path's raw bytes as latin1. */
export function cabextractFiles(cab: Buffer): Map<string, Buffer> {
  const got = new Map<string, Buffer>();
  const walk = (dir: Buffer, rel: string): void => {
    for (const e of readdirSync(dir, { encoding: 'buffer', withFileTypes: true })) {
      const full = Buffer.concat([dir, Buffer.from('/'), e.name]);
      const key = rel + e.name.toString('latin1');
      if (e.isDirectory()) walk(full, `${key}/`);
      else got.set(key, readFileSync(full));
    }
  };
  run(cab, ['-q', '-d', 'out'], (dir) => {
    try { walk(Buffer.from(path.join(dir, 'out')), ''); } catch { /* nothing extracted */ }
  });
  return got;
}

/** The key cabextractFiles/List use for a CAB name: `/` separators, raw bytes as latin1. */
export function cabextractKey(name: string, utf8: boolean): string {
  return Buffer.from(name.replace(/\\/g, '/'), utf8 ? 'utf8' : 'latin1').toString('latin1');
}
