// `wer-sniff check` and `wer-sniff diff` through bin/wer-sniff.js: exit codes, human and JSON
// output, every vector and sample checking clean, the app-crash vector against the generic
// one listing exactly the fields that differ, and a capture against itself being equal.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SAMPLES, vectorPath, readVector, vectorFiles } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';
import { report } from '../helpers/crafted.js';
import { toSeedPcap } from '../../src/tools/fuzz/targets/pcap.js';
import { tempDir } from '../helpers/temp.js';

const tmp = tempDir('wer-sniff-check-');
const httpVectors = vectorFiles('.http');
const sampleFiles = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.http')).map((f) => path.join(SAMPLES, f));
const V = (name: string): string => vectorPath(name);
const lines = (out: Buffer): Record<string, unknown>[] => ndjson(out);

function write(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('wer-sniff check (CLI)', () => {
  it('every shared vector and sample checks without errors (exit 0)', () => {
    const res = runCli(['check', '--json', ...httpVectors, ...sampleFiles]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    const checks = out.filter((o) => o.type === 'check');
    expect(checks.filter((c) => c.method !== 'PUT')).toHaveLength(8);
    const errors = checks.flatMap((c) => (c.findings as { severity: string }[]).filter((f) => f.severity === 'error'));
    expect(errors).toEqual([]);
    expect((out.at(-1) as { counts: { error: number } }).counts.error).toBe(0);
  });

  it('an empty SIGNATURE is an error named as why the report cannot be bucketed (exit 1)', () => {
    const file = write('empty-signature.http', report({ params: [], secondary: [] }));
    const res = runCli(['check', '--color', 'never', file]);
    expect(res.code).toBe(1);
    const text = res.stdout.toString();
    expect(text).toContain(`${file}#1`);
    expect(text).toMatch(/✗ error +signature-empty §2\.2\.1\.3\.6 +SIGNATURE is empty \(no PARAMETER\): the report cannot be bucketed/);
    expect(text).toMatch(/→ send the problem signature as <PARAMETER/);
    expect(text).toMatch(/1 report checked: 1 error, 0 warnings, 1 note/);
  });

  it('--json gives one object per report with its findings', () => {
    const file = write('bad-reporttype.http', report({}, (x) => x.replace('reporttype="2"', 'reporttype="9"')));
    const res = runCli(['check', '--json', file]);
    expect(res.code).toBe(1);
    const [check] = lines(res.stdout) as { type: string; n: number; eventType: string; findings: { rule: string; severity: string; section: string }[] }[];
    expect(check!.type).toBe('check');
    expect(check!.n).toBe(1);
    expect(check!.eventType).toBe('APPCRASH');
    expect(check!.findings[0]).toMatchObject({ rule: 'reporttype-range', severity: 'error', section: '§2.2.1.2.4' });
  });

  it('warnings alone exit 0; unreadable input and captures without a report exit 2', () => {
    expect(runCli(['check', write('old.http', report({}, (x) => x.replace(/eventtime="\d+"/, 'eventtime="1715678814"')))]).code).toBe(0);
    const missing = runCli(['check', path.join(tmp, 'nope.bin')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^wer-sniff: cannot read .*nope\.bin: no such file or folder \(ENOENT\)/);
    const none = runCli(['check', V('level1-response-level2.http')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no level-1 report/);
    expect(runCli(['check', tmp]).code).toBe(2);
  });

  it('reads stdin', () => {
    const res = runCli(['check', '--color', 'never'], report({ lcid: 32767 }));
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toMatch(/note +lcid-unknown/);
  });
});

describe('wer-sniff diff (CLI)', () => {
  it('the app-crash vector against the generic one lists exactly the differing fields', () => {
    const res = runCli(['diff', '--json', V('level1-appcrash.http'), V('level1-generic.http')]);
    expect(res.code).toBe(1);
    const out = lines(res.stdout)[0] as { equal: boolean; pairs: { fields: { field: string; status: string; a?: string; b?: string }[] }[] };
    expect(out.equal).toBe(false);
    const fields = out.pairs[0]!.fields;
    const params = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [`report.SIGNATURE.PARAMETER[${i}].name`, `report.SIGNATURE.PARAMETER[${i}].value`]);
    expect(fields.map((f) => f.field).sort()).toEqual([
      'request.header.Content-Length', 'request.body.length',
      'report.APPLICATIONINFO.appname', 'report.APPLICATIONINFO.apppath',
      'report.EVENTINFO.reporttype', 'report.EVENTINFO.eventtype', 'report.EVENTINFO.friendlyeventname',
      ...params,
      'report.SIGNATURE.SECONDARYPARAMETER[OS Version]', 'report.SIGNATURE.SECONDARYPARAMETER[Locale ID]',
      'report.FILES.FILE[Version.txt]', 'report.SIGNATURE',
    ].sort());
    const byName = new Map(fields.map((f) => [f.field, f]));
    expect(byName.get('report.EVENTINFO.eventtype')).toMatchObject({ status: 'changed', a: 'APPCRASH', b: 'WidgetInstallFail' });
    expect(byName.get('report.SIGNATURE.PARAMETER[7].value')).toMatchObject({ status: 'only-a', a: '000000000001a2f4' });
    expect(byName.get('report.FILES.FILE[Version.txt]')).toMatchObject({ status: 'only-a', a: 'filetype 5' });
  });

  it('--ignore "" also compares the event time; --ignore takes prefixes and last parts', () => {
    const all = lines(runCli(['diff', '--json', '--ignore', '', V('level1-appcrash.http'), V('level1-generic.http')]).stdout)[0] as { pairs: { fields: { field: string }[] }[] };
    expect(all.pairs[0]!.fields.map((f) => f.field)).toContain('report.EVENTINFO.eventtime');
    const some = lines(runCli(['diff', '--json', '--ignore', 'report.SIGNATURE,content-length,length', V('level1-appcrash.http'), V('level1-generic.http')]).stdout)[0] as { pairs: { fields: { field: string }[] }[] };
    const names = some.pairs[0]!.fields.map((f) => f.field);
    expect(names.some((n) => n.startsWith('report.SIGNATURE'))).toBe(false);
    expect(names).not.toContain('request.header.Content-Length');
    expect(names).not.toContain('request.body.length');
    expect(names).toContain('report.EVENTINFO.eventtime');
    expect(names).toContain('report.EVENTINFO.eventtype');
  });

  it('a capture against itself is equal (exit 0), also with file#N, and --all shows the equal fields', () => {
    const conv = write('conversation.http', Buffer.concat([
      fs.readFileSync(V('level1-appcrash.http')), fs.readFileSync(V('level1-response-level2.http')),
      fs.readFileSync(V('level2-put.http')), fs.readFileSync(V('level2-response-ok.http')),
    ]));
    const same = runCli(['diff', '--color', 'never', conv, conv]);
    expect(same.code).toBe(0);
    expect(same.stdout.toString()).toMatch(/^equal \(ignoring report\.EVENTINFO\.eventtime, answer\.DumpFile, upload\.target, upload\.header\.Content-Length, upload\.body\.length\)$/m);
    expect(runCli(['diff', `${conv}#1`, conv]).code).toBe(0);
    const all = runCli(['diff', '--all', '--color', 'never', conv, conv]).stdout.toString();
    expect(all).toMatch(/report\.EVENTINFO\.eventtype +│ APPCRASH +│ APPCRASH/);
    expect(all).toMatch(/cab\.files +│ WER4F2A\.tmp\.WERInternal/);
    expect(all).toMatch(/cab\.file\[WER51C0\.tmp\.Version\.txt\] +│ 380 bytes +│ 380 bytes/);
    expect(all).toMatch(/answer\.DumpFile/);
    expect(all).toMatch(/upload\.status +│ 200 OK/);
  });

  it('notes header order changes, and an unreadable side exits 2', () => {
    const a = fs.readFileSync(V('level1-appcrash.http')).toString('latin1');
    const swapped = a.replace('User-Agent: MSDW\r\nHost: cer-lab.example.test:1273\r\n', 'Host: cer-lab.example.test:1273\r\nUser-Agent: MSDW\r\n');
    const res = runCli(['diff', '--json', V('level1-appcrash.http'), write('swapped.http', Buffer.from(swapped, 'latin1'))]);
    expect(res.code).toBe(1);
    const fields = (lines(res.stdout)[0] as { pairs: { fields: { field: string; status: string }[] }[] }).pairs[0]!.fields;
    expect(fields).toEqual([expect.objectContaining({ field: 'request.header-order', status: 'order' })]);
    expect(runCli(['diff', V('level1-appcrash.http'), path.join(tmp, 'missing.http')]).code).toBe(2);
    const range = runCli(['diff', `${V('level1-appcrash.http')}#2`, V('level1-appcrash.http')]);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/holds 1 report, not #2/);
  });

  it('--help has examples', () => {
    for (const cmd of ['check', 'diff']) {
      const res = runCli([cmd, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout.toString()).toContain('Examples:');
    }
  });
});

describe('check and diff read pcap captures', () => {
  // A TCP conversation on port 1273 around the app-crash vector and its answer.
  const pcap = write('appcrash.pcap', toSeedPcap(
    readVector('level1-appcrash.http'),
    readVector('level1-response-level2.http'),
  ));

  it('check finds the report on port 1273; --port elsewhere finds none and says which ports there were', () => {
    const ok = runCli(['check', '--json', pcap]);
    expect(ok.code).toBe(0);
    const lines = ndjson(ok.stdout);
    expect(lines.filter((l) => l.type === 'check').map((l) => l.eventType)).toEqual(['APPCRASH']);
    const none = runCli(['check', '--port', '8080', pcap]);
    expect(none.code).toBe(2);
    expect(none.stderr.toString()).toContain('none to or from port 8080 (ports seen: 1273)');
  });

  it('diff of a pcap against the raw vector: the same report', () => {
    const same = runCli(['diff', pcap, vectorPath('level1-appcrash.http'), '--ignore', 'answer,upload']);
    expect(same.stdout.toString()).not.toMatch(/^[≠<>] report\./m);
  });
});
