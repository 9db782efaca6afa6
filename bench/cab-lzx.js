// CAB extraction benchmark: a ~60 MB dump-like payload (zero pages, x86 code with E8 calls,
// stack-like pointer data, text, some incompressible bytes) in one LZX folder (window 2^21, E8
// translation, as Microsoft's tools write) and in one MSZIP folder, both written by our
// compressors. Peers in the same run, interleaved: `wer-sniff cab --extract` (the whole command:
// start-up, listing, summary, extraction) and `cabextract -q -d`. Medians of the rounds and the
// median per-round ratios, of wall time and (with GNU time) of CPU time. Goals: ≥ 0.5×
// cabextract's speed for LZX, ≥ 0.8× for MSZIP. For MSZIP also the least a Node program on
// node:zlib does (bench/minimal-mszip.js): the floor of what Node can reach there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commandVersion, fmt, hasCommand, interleave, markdownTable, median, pairedRatio } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/wer-sniff.js', import.meta.url));
const MINIMAL_MSZIP = fileURLToPath(new URL('./minimal-mszip.js', import.meta.url));
const MB = Number(process.env.CAB_LZX_MB ?? 60);
const ROUNDS = Number(process.env.CAB_LZX_ROUNDS ?? 5);

function xorshift(seed) {
  let x = seed >>> 0;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** Dump-like bytes: 4 KiB pages of a few kinds, in a fixed pseudo-random order. */
export function dumpLike(size) {
  const b = Buffer.alloc(size);
  const r = xorshift(0x5eed);
  const ops = [0x55, 0x8b, 0xec, 0x48, 0x89, 0x5d, 0xc3, 0x90, 0x83, 0xc4, 0x33, 0xc0, 0x0f, 0x1f, 0x44];
  const words = Buffer.from('ntdll.dll kernelbase.dll C:\\Windows\\System32\\ Exception 0xc0000005 widget.exe ');
  for (let page = 0; page < size; page += 4096) {
    const kind = r() % 10;
    const end = Math.min(size, page + 4096);
    if (kind < 3) continue; // zero page
    if (kind < 6) { // code: instructions and calls to a few hundred functions
      for (let i = page; i < end;) {
        if (r() % 6 === 0 && i + 5 <= end) {
          b[i] = 0xe8;
          b.writeInt32LE(((r() % 300) * 0x140 + 0x1000 - i) | 0, i + 1);
          i += 5;
        } else b[i++] = ops[r() % ops.length];
      }
    } else if (kind < 8) { // stack/heap: 8-byte pointers into a few regions, small integers
      for (let i = page; i + 8 <= end; i += 8) {
        const v = r() % 4;
        if (v === 0) { b.writeUInt32LE(0x4c000000 + (r() % 0x40000) * 8, i); b.writeUInt32LE(0x7ffb, i + 4); }
        else if (v === 1) b.writeUInt32LE(r() % 256, i);
        else if (v === 2) { b.writeUInt32LE(0x00a00000 + (r() % 0x1000) * 16, i); b.writeUInt32LE(0x1f2, i + 4); }
      }
    } else if (kind < 9) { // text
      for (let i = page; i < end; i++) b[i] = words[(i + (r() % 3 === 0 ? r() % 7 : 0)) % words.length];
    } else { // incompressible
      for (let i = page; i < end; i++) b[i] = r() & 0xff;
    }
  }
  return b;
}

/** `/usr/bin/time` (GNU time), when present, gives each run's CPU time too: on a machine
 * shared with other work, CPU seconds are steadier than wall time. */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeRun(cmd, args, dir) {
  const cpuFile = path.join(dir, 'cpu.txt');
  const [c, a] = GNU_TIME ? [GNU_TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t = process.hrtime.bigint();
  const res = spawnSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  if (res.status !== 0) throw new Error(`${cmd} exited ${res.status}: ${res.stderr}`);
  const cpu = GNU_TIME ? fs.readFileSync(cpuFile, 'latin1').trim().split('\n').pop().split(' ').reduce((x, y) => x + Number(y), 0) : NaN;
  return { wall, cpu };
}

export async function run() {
  if (!hasCommand('cabextract')) {
    console.log('skipped: cabextract is not installed (apt-get install cabextract)');
    return;
  }
  const { writeCab } = await import('../dist/domain/cab/cab-writer.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-cab-lzx-'));
  try {
    const data = dumpLike(MB * 1_000_000);
    const files = [{ name: 'memory.dmp', data }, { name: 'Report.wer', data: Buffer.from('Version=1\r\n', 'utf16le') }];
    const cabs = [];
    for (const [method, opts] of [['LZX', { compression: 'lzx', lzx: { windowBits: 21, e8TranslationSize: 12_000_000 } }], ['MSZIP', { compression: 'mszip' }]]) {
      const t0 = process.hrtime.bigint();
      const cab = writeCab(files, opts);
      const packS = Number(process.hrtime.bigint() - t0) / 1e9;
      const file = path.join(dir, `dump-${method}.cab`);
      fs.writeFileSync(file, cab);
      cabs.push({ method, file, size: cab.length, packS });
    }
    const peers = cabs.flatMap(({ method, file }) => [
      { name: `${method}: wer-sniff cab --extract`, method, cmd: process.execPath, args: (out) => [BIN, 'cab', '--extract', out, file] },
      { name: `${method}: cabextract -q -d`, method, cmd: 'cabextract', args: (out) => ['-q', '-d', out, file] },
      // The floor for any Node extractor built on node:zlib (MSZIP only): start-up, one zlib
      // stream per block, the writes; nothing else.
      ...(method === 'MSZIP' ? [{ name: 'MSZIP: minimal Node extractor', method, cmd: process.execPath, args: (out) => [MINIMAL_MSZIP, out, file] }] : []),
    ]);
    const times = await interleave(ROUNDS, peers, (peer, round) => {
      const out = path.join(dir, `out-${round}`);
      const t = timeRun(peer.cmd, peer.args(out), dir);
      if (!fs.readFileSync(path.join(out, 'memory.dmp')).equals(data)) throw new Error(`${peer.name} extracted wrong bytes`);
      fs.rmSync(out, { recursive: true, force: true });
      return t;
    }, { log: console.log });
    const wall = (name) => times.get(name).map((t) => t?.wall ?? NaN);
    const cpu = (name) => times.get(name).map((t) => t?.cpu ?? NaN);
    console.log(`Payload: ${fmt.mb(data.length)} dump-like bytes, packed by our compressor: `
      + cabs.map((c) => `${c.method} ${fmt.mb(c.size)} in ${fmt.num(c.packS, 1)} s`).join(', ')
      + ` (LZX window 2^21 with E8 translation, as Microsoft's tools write). ${commandVersion('cabextract', ['--version'])}, node ${process.version}. `
      + `Median of ${ROUNDS} interleaved rounds, output verified each time; ratios are medians of the per-round ratios. CPU is user + system time${GNU_TIME ? '' : ' (not measured: no /usr/bin/time)'}:\n`);
    const rows = [];
    for (const { method } of cabs) {
      const [ours, theirs, ...others] = peers.filter((p) => p.method === method).map((p) => p.name);
      for (const name of [ours, ...others]) {
        rows.push([name, `${fmt.num(median(wall(name)), 2)} s`, `${fmt.num(median(cpu(name)), 2)} s`, fmt.num(data.length / 1e6 / median(wall(name)), 0),
          fmt.ratio(pairedRatio(wall(theirs), wall(name))), GNU_TIME ? fmt.ratio(pairedRatio(cpu(theirs), cpu(name))) : 'n/a']);
      }
      rows.push([theirs, `${fmt.num(median(wall(theirs)), 2)} s`, `${fmt.num(median(cpu(theirs)), 2)} s`, fmt.num(data.length / 1e6 / median(wall(theirs)), 0), fmt.ratio(1), fmt.ratio(1)]);
    }
    console.log(markdownTable(['extractor', 'time', 'CPU', 'MB/s (uncompressed)', 'speed vs cabextract', 'CPU vs cabextract'], rows));
    console.log(`\nGoals: wer-sniff ≥ 0.50× cabextract's speed for LZX, ≥ 0.80× for MSZIP.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
