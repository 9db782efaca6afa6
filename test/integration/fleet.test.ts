// The fleet view end to end: `listen` in front of `simulate --count 100 --machines 20` with two
// kinds (200 reports): the default view prints at most two lines per report (the report and its
// CAB), and the bucket table printed at SIGINT counts exactly what was sent. Also --json's
// `stats` event and --stats on an interval.
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { runCliAsync, events } from '../helpers/run-async.js';

const start = cliStarter();

describe('a fleet of simulated clients', () => {
  it('200 reports from 20 machines: ≤ 2 lines per report, and a bucket table that counts them all', async () => {
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--color', 'never']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'hang,bluescreen', '--count', '100', '--machines', '20', '--color', 'never']);
    expect(sim.code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const lines = cli.stdout().toString().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(200);
    expect(lines.length).toBeLessThanOrEqual(400);
    // one line per level-1 report, one per CAB; each names its machine
    expect(lines.filter((l) => / AppHangB1 /.test(l))).toHaveLength(100);
    expect(lines.filter((l) => / BlueScreen /.test(l))).toHaveLength(100);
    expect(lines.filter((l) => / CAB \d/.test(l))).toHaveLength(200);
    expect(new Set(lines.map((l) => /SIM-PC-\d\d/.exec(l)?.[0]))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `SIM-PC-${String(i + 1).padStart(2, '0')}`)));
    const err = cli.stderr();
    expect(err).toMatch(/^buckets: 200 reports in 2 buckets$/m);
    expect(err).toMatch(/^\s+100 │ AppHangB1 .* │ +20$/m);
    expect(err).toMatch(/^\s+100 │ BlueScreen .* │ +20$/m);
    // the table comes before the summary line
    expect(err.indexOf('buckets:')).toBeLessThan(err.indexOf('stopped:'));
  }, 180_000);

  it('--json: the same table as a `stats` event; --stats prints it on an interval too', async () => {
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '--stats', '200ms']);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'appcrash,hang', '--count', '2', '--machines', '2']);
    expect(sim.code).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const stats = events(cli.stdout().toString()).filter((e) => e.type === 'stats') as unknown as { reports: number; conn: number; buckets: { count: number; event: string; machines: number }[] }[];
    expect(stats.length).toBeGreaterThanOrEqual(2); // at least one interval, and the end
    const last = stats.at(-1)!;
    expect(last.reports).toBe(4);
    expect(last.conn).toBe(0);
    expect(last.buckets.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(last.buckets.find((b) => b.event === 'AppHangB1')).toMatchObject({ count: 2, machines: 2 });
    expect(cli.stderr().match(/^buckets: /gm)!.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
