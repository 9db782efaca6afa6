// Findings live and end to end, through bin/wer-sniff.js on 127.0.0.1: `listen` and `relay`
// show each report's findings under its summary and as `finding` events in --json (with the
// report id, and the CAB that never came at the end of the run); and the "done when":
// a captured report with an empty signature against a normal app crash — `check` names the
// empty signature as why it cannot be bucketed, `diff` shows the two side by side; and `check`
// of --save-dir folders (report.cab standing for the upload).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { sendAndCollect } from '../helpers/net.js';
import { report } from '../helpers/crafted.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';
import { runCliAsync } from '../helpers/run-async.js';
import { tempDir } from '../helpers/temp.js';

const startCli = cliStarter();

const tmp = tempDir('wer-sniff-check-live-');
const emptySignature = (): Buffer => report({ params: [], secondary: [] });

async function start(args: string[]): Promise<RunningCli> {
  const r = await startCli([...args, '-p', '0', '-b', '127.0.0.1']);
  return r;
}

/** `simulate` as a child process (async, so this process keeps reading the listener's output). */
async function simulate(port: number, kind = 'appcrash'): Promise<number | null> {
  return (await runCliAsync(['simulate', '--to', `127.0.0.1:${port}`, '--kind', kind, '--color', 'never'])).code;
}

async function stop(r: RunningCli): Promise<void> {
  r.child.kill('SIGTERM');
  expect(await r.exited).toBe(0);
}

const events = (r: RunningCli): Record<string, unknown>[] => ndjson(r.stdout());

describe('findings live', () => {
  it('--filter hides the PUT, yet the checker saw it: no false "CAB never came"; findings of hidden reports stay hidden', async () => {
    const r = await start(['listen', '--json', '--filter', 'method=POST']);
    await sendAndCollect(r.port, [emptySignature()]);
    expect(await simulate(r.port)).toBe(0);
    await stop(r);
    const all = events(r);
    // Only POSTs are shown; simulate's PUT (r2's CAB) is not.
    expect(all.filter((e) => e.type === 'request').map((e) => e.method)).toEqual(['POST', 'POST']);
    const findings = all.filter((e) => e.type === 'finding');
    // r1 never uploaded its CAB (true), r2 did (its PUT was filtered out of the view, not out of the check).
    expect(findings.filter((f) => f.rule === 'cab-not-uploaded').map((f) => f.reportId)).toEqual(['r1']);
    expect(findings.some((f) => f.rule === 'signature-empty' && f.reportId === 'r1')).toBe(true);
    // A filter that shows nothing shows no findings either.
    const q = await start(['listen', '--json', '--filter', 'method=GET']);
    await sendAndCollect(q.port, [emptySignature()]);
    await stop(q);
    // Nothing matches, so nothing about traffic is shown: no events, no findings — only the
    // run's bucket table (`stats`), which counts what was sent.
    const shown = ndjson(q.stdout());
    expect(shown.map((e) => e.type)).toEqual(['stats']);
  });

  it('listen --json: finding events follow the report, with its id; the CAB never sent is reported at the end', async () => {
    const r = await start(['listen', '--json']);
    await sendAndCollect(r.port, [emptySignature()]);
    expect(await simulate(r.port)).toBe(0);
    await stop(r);
    const all = events(r);
    const findings = all.filter((e) => e.type === 'finding');
    const empty = findings.find((f) => f.rule === 'signature-empty')!;
    expect(empty).toMatchObject({ reportId: 'r1', conn: 1, seq: 1, stage: 'report', severity: 'error', section: '§2.2.1.3.6' });
    expect(empty.message).toMatch(/cannot be bucketed/);
    // the finding comes right after its report event
    const reportAt = all.findIndex((e) => e.type === 'report' && e.reportId === 'r1');
    expect(all[reportAt + 1]).toMatchObject({ type: 'finding', reportId: 'r1' });
    // r1's client never PUT the CAB the server asked for; simulate's r2 did, and is clean
    expect(findings.filter((f) => f.reportId === 'r1').map((f) => f.rule).sort()).toEqual(['cab-not-uploaded', 'signature-empty']);
    expect(findings.find((f) => f.rule === 'cab-not-uploaded')).toMatchObject({ stage: 'end', severity: 'warning' });
    expect(findings.filter((f) => f.reportId === 'r2')).toEqual([]);
  });

  it('listen: the human view shows the findings under the report summary, before the XML', async () => {
    const r = await start(['listen', '-vvv', '--color', 'never', '--no-cab']);
    await sendAndCollect(r.port, [emptySignature()]);
    await stop(r);
    const out = r.stdout().toString();
    const check = out.indexOf('  Check 1 error');
    expect(check).toBeGreaterThan(out.indexOf('Event time'));
    expect(check).toBeLessThan(out.indexOf('<?xml version'));
    expect(out).toMatch(/✗ error +signature-empty §2\.2\.1\.3\.6 +SIGNATURE is empty \(no PARAMETER\): the report cannot be bucketed/);
    expect(out).not.toMatch(/cab-not-uploaded/); // --no-cab: nothing was asked for
  });

  it('relay --json: findings of reports passing through, answers from the real upstream', async () => {
    const upstream = await start(['listen', '--json', '--no-cab']);
    const relay = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '--json']);
    await sendAndCollect(relay.port, [report({}, (x) => x.replace('reporttype="2"', 'reporttype="8"'))]);
    await stop(relay);
    await stop(upstream);
    // relayed: the answer is the upstream's, and a clean answer adds no finding
    const findings = events(relay).filter((e) => e.type === 'finding');
    expect(findings.map((f) => f.rule)).toEqual(['reporttype-range']);
    expect(events(relay).some((e) => e.type === 'response' && e.status === 200)).toBe(true);
  });
});

describe('done when: empty signature vs a normal app crash', () => {
  it('check names the empty signature; diff shows both side by side with the differences coloured', async () => {
    const dir = path.join(tmp, 'reports');
    const r = await start(['listen', '--save-dir', dir, '--json']);
    await sendAndCollect(r.port, [emptySignature()]);
    expect(await simulate(r.port)).toBe(0);
    await stop(r);
    const folders = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
    const empty = folders.find((f) => f.endsWith('_1'))!;
    const normal = folders.find((f) => f.endsWith('_2'))!;
    expect(fs.existsSync(path.join(normal, 'report.cab'))).toBe(true);

    const check = runCli(['check', '--color', 'never', path.join(empty, 'level1.http'), path.join(normal, 'level1.http')]);
    expect(check.code).toBe(1);
    const text = check.stdout.toString();
    const [first, second] = text.split(/\n\n/);
    expect(first).toMatch(/signature-empty .*the report cannot be bucketed/);
    expect(second).toMatch(/APPCRASH/);
    expect(second).not.toMatch(/✗ error/);

    // the save-dir root: both reports, each against itself
    expect(runCli(['diff', dir, dir]).code).toBe(0);

    const diff = runCli(['diff', '--color', 'always', empty, normal]);
    expect(diff.code).toBe(1);
    const out = diff.stdout.toString();
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain(`a = ${empty}`);
    expect(plain).toContain(`b = ${normal}`);
    expect(plain).toMatch(/≠ report\.SIGNATURE +│ 0 PARAMETER, 0 SECONDARYPARAM\S* +│ \d+ PARAMETER/);
    expect(plain).toMatch(/> report\.SIGNATURE\.PARAMETER\[0\]\.value +│ — +│ \S/);
    expect(plain).toMatch(/> cab\.files +│ — +│ \S/);
    // changed values in yellow, values only in b in green
    expect(out).toMatch(/\x1b\[33m0 PARAMETER, 0 SECONDARYPARAM/);
    expect(out).toMatch(/\x1b\[32m\S/);
  });
});

describe('check reads --save-dir folders', () => {
  it('a folder or the save-dir root: the report from level1.http and response.txt, report.cab as its upload', async () => {
    const dir = path.join(tmp, 'saved');
    const r = await start(['listen', '--save-dir', dir, '--json']);
    expect(await simulate(r.port)).toBe(0);
    await stop(r);
    const [folder] = fs.readdirSync(dir).map((f) => path.join(dir, f));
    expect(fs.existsSync(path.join(folder!, 'report.cab'))).toBe(true);
    const checked = (...args: string[]) => {
      const res = runCli(['check', '--json', ...args]);
      const out = ndjson(res.stdout);
      return { code: res.code, reports: out.filter((o) => o.type === 'check'), rules: out.filter((o) => o.type === 'check').flatMap((o) => o.findings.map((f: { rule: string }) => f.rule)) };
    };

    // as saved: clean, the folder named as the input, and the same from the root
    const clean = checked(folder!);
    expect(clean.code).toBe(0);
    expect(clean.reports).toHaveLength(1);
    expect(clean.reports[0].input).toBe(folder);
    expect(clean.reports[0].eventType).toBe('APPCRASH');
    expect(clean.rules).toEqual([]);
    expect(checked(dir)).toMatchObject({ code: 0, rules: [] });

    // the upload broke off: report.cab.incomplete is an incomplete upload (an error)
    const broken = path.join(tmp, 'broken');
    fs.cpSync(folder!, broken, { recursive: true });
    // (as a broken upload leaves it: the bytes that came, fewer than level2.head.http announced)
    const whole = fs.readFileSync(path.join(broken, 'report.cab'));
    fs.rmSync(path.join(broken, 'report.cab'));
    fs.writeFileSync(path.join(broken, 'report.cab.incomplete'), whole.subarray(0, whole.length >> 1));
    expect(checked(broken)).toMatchObject({ code: 1, rules: ['put-incomplete'] });

    // no CAB at all although the answer asked for one
    fs.rmSync(path.join(broken, 'report.cab.incomplete'));
    expect(checked(broken)).toMatchObject({ code: 0, rules: ['cab-not-uploaded'] });

    // a CAB without the files FILES lists, and an upload that is no CAB
    fs.writeFileSync(path.join(broken, 'report.cab'), writeCab([{ name: 'other.txt', data: Buffer.from('x') }], { compression: 'none' }));
    expect(checked(broken).rules.every((rule) => rule === 'files-not-in-cab')).toBe(true);
    expect(checked(broken).rules.length).toBeGreaterThan(0);
    fs.writeFileSync(path.join(broken, 'report.cab'), 'not a cabinet');
    expect(checked(broken)).toMatchObject({ code: 0, rules: ['put-not-cab'] });

    // a folder that holds no report exits 2 and says so
    const empty = path.join(tmp, 'no-reports');
    fs.mkdirSync(empty);
    const none = runCli(['check', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr.toString()).toMatch(/holds no level1\.http/);
  }, 90_000); // ten CLI processes in a row: over 30 s on a loaded 2-core machine
});
