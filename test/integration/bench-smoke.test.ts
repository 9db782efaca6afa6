// The benchmark scripts are not run by the suite, and one of them (hostile-cab) once stayed
// broken for half a day. Every bench script must at least parse, and the two that measure
// the listener's waits and offline decoding run once, tiny, to the end of their table.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const BENCH = path.join(ROOT, 'bench');

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

it('every bench script parses', async () => {
  const files = readdirSync(BENCH).filter((f) => f.endsWith('.js'));
  expect(files.length).toBeGreaterThan(10);
  const results = await Promise.all(files.map(async (f) => ({ f, ...(await node(['--check', path.join(BENCH, f)])) })));
  for (const r of results) expect(r.code, `${r.f}: ${r.out}`).toBe(0);
});

it('hostile-cab runs its sample case to a full row: the upload answered, every figure a number', async () => {
  const { code, out } = await node([path.join(BENCH, 'hostile-cab.js'), '--only', 'sample', '--warm', '300', '--pause', '50']);
  expect(code, out).toBe(0);
  const row = out.split('\n').find((l) => l.startsWith('| sample |'));
  expect(row, out).toBeDefined();
  const cells = row!.split('|').slice(1, -1).map((c) => c.trim());
  expect(cells[2], row).toBe('true'); // PUT answered
  const figures = cells.slice(3).map(Number);
  expect(figures.length).toBe(9);
  for (const n of figures) expect(Number.isFinite(n), row).toBe(true);
  expect(figures[3], row).toBeGreaterThan(0); // other clients' answers counted
}, 90_000);

it('the decode bench runs a small file to a table of rates', async () => {
  const { code, out } = await node([path.join(BENCH, 'run.js'), 'decode'], { DECODE_REPORTS: '2000', DECODE_ROUNDS: '1' });
  expect(code, out).toBe(0);
  const rows = out.split('\n').filter((l) => l.startsWith('| decode'));
  expect(rows.length, out).toBe(2);
  for (const r of rows) expect(Number(r.split('|')[2]!.trim().replace(/,/g, '')), r).toBeGreaterThan(0);
}, 90_000);
