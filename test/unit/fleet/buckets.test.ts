import { describe, expect, test } from 'vitest';
import { BucketCounter, MAX_BUCKETS, statsJson } from '../../../src/analysis/fleet/buckets.js';
import { reportFacts, signatureKey } from '../../../src/analysis/fleet/signature.js';
import { parseWerReport } from '../../../src/domain/report/report.js';
import { formatBucketTable } from '../../../src/render/format-buckets.js';
import { decodeText } from '../../../src/domain/body/charset.js';
import { readVector } from '../../helpers/paths.js';
import { plain } from '../output/paints.js';
import { displayWidth } from '../../../src/render/width.js';
import { signatureNumber } from '../../../src/domain/server/level1-answer.js';

const report = parseWerReport(decodeText(readVector('level1-appcrash.body.xml')).text);

describe('report facts', () => {
  test('machine (first label), event, app, version, code, module, offset from the signature', () => {
    const f = reportFacts(report);
    expect(f.event).toBe('APPCRASH');
    expect(f.machine).not.toContain('.');
    expect(f.code).toMatch(/^[0-9a-f]{8}$/);
    expect(f.offset).toMatch(/^0x[0-9a-f]+$/);
    expect(f.app).toBeTruthy();
    expect(f.module).toBeTruthy();
  });

  test('the key changes exactly when our Bucket= would', () => {
    const other = { ...report, parameters: report.parameters.map((p, i) => (i === 0 ? { ...p, value: p.value + 'x' } : p)) };
    expect(signatureKey(other)).not.toBe(signatureKey(report));
    expect(signatureNumber(other, 'bucket')).not.toBe(signatureNumber(report, 'bucket'));
    const sameSig = { ...report, machine: { name: 'OTHER-PC' } };
    expect(signatureKey(sameSig)).toBe(signatureKey(report));
  });
});

describe('bucket counter and table', () => {
  test('counts per signature, machines, first and last seen; most frequent first', () => {
    const c = new BucketCounter();
    const a = reportFacts(report);
    const b = { ...a, key: 'other', event: 'AppHangB1', machine: 'PC-9' };
    for (let i = 0; i < 5; i++) c.add({ ...a, machine: `PC-${i % 2}` }, 1000 + i);
    c.add(b, 500);
    const s = c.stats();
    expect(s.reports).toBe(6);
    expect(s.buckets.map((x) => [x.count, x.machines.size])).toEqual([[5, 2], [1, 1]]);
    expect(s.buckets[0]).toMatchObject({ firstSeen: 1000, lastSeen: 1004 });
    const json = statsJson(s, 2000) as { type: string; buckets: { count: number; machines: number }[] };
    expect(json.type).toBe('stats');
    expect(json.buckets.map((x) => x.count)).toEqual([5, 1]);
    const lines = formatBucketTable(s, { paint: plain });
    expect(lines[0]).toBe('buckets: 6 reports in 2 buckets');
    expect(lines[1]).toMatch(/count │ event\s+│ app/);
    expect(lines[2]).toMatch(/^\s+5 │ APPCRASH +│ widget\.exe 3\.2\.1\.0 +│ c0000005 │/);
    expect(lines[2]).toMatch(/│ +2$/);
  });

  test('bounded: buckets beyond the limit are counted as other; the table shows the top rows', () => {
    const c = new BucketCounter();
    const a = reportFacts(report);
    for (let i = 0; i < MAX_BUCKETS + 3; i++) c.add({ ...a, key: `k${i}` }, i);
    const s = c.stats();
    expect(s.buckets).toHaveLength(MAX_BUCKETS);
    expect(s.other).toBe(3);
    const lines = formatBucketTable(s, { paint: plain, maxRows: 5, width: 60 });
    expect(lines).toHaveLength(1 + 1 + 5 + 1);
    expect(lines.at(-1)).toMatch(/more buckets/);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(60);
  });
});
