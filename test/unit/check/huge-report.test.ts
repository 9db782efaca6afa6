// Red-team regression: level-1 reports with 130,000 PARAMETERs or 130,000 unknown attributes
// through the same Recorder and checker as `wer-sniff check`. Before the fix the level-1 check
// spread every finding into push() and overflowed the call stack (the report then had no
// findings at all, live it had no answer); now each rule lists MAX_FINDINGS_PER_RULE findings
// and one more that counts the rest. 130,000 unknown attributes (the other overflow, in the
// structure check) run live in test/integration/huge-report-live.test.ts.
import { describe, expect, it } from 'vitest';
import { checkBytes, hugeReport, response } from '../../helpers/crafted.js';
import { capFindings, finding, MAX_FINDINGS_PER_RULE } from '../../../src/analysis/check/rules.js';
import { cabHoldsFile } from '../../../src/analysis/check/conversation.js';

describe('huge level-1 reports are checked, findings capped per rule', () => {
  it('130,000 PARAMETERs: 20 parameter-id findings, a count of the rest, and parameter-count', () => {
    const [r] = checkBytes(Buffer.concat([hugeReport('parameters', 130_000), response('200 OK')]));
    const ids = r!.findings.filter((f) => f.rule === 'parameter-id');
    expect(ids).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(ids[0]!.message).toBe('PARAMETER id "10" is not a single digit 0-9');
    expect(ids.at(-1)!.message).toBe(`… and ${130_000 - 10 - MAX_FINDINGS_PER_RULE} more parameter-id findings like the above (only the first ${MAX_FINDINGS_PER_RULE} of each rule are listed)`);
    expect(r!.findings.find((f) => f.rule === 'parameter-count')!.message).toBe('130000 PARAMETER elements, the schema allows at most 10');
    expect(r!.findings.length).toBeLessThan(60);
  }, 30_000);

  it('capFindings keeps order and the first N of each rule, adds one count per rule over N', () => {
    const f = (rule: 'os-fields' | 'lcid-unknown', i: number) => finding(rule, `m${i}`, 'fix');
    const list = [f('os-fields', 1), f('lcid-unknown', 1), f('os-fields', 2), f('os-fields', 3), f('lcid-unknown', 2)];
    expect(capFindings(list, 2).map((x) => `${x.rule}:${x.message}`)).toEqual([
      'os-fields:m1', 'lcid-unknown:m1', 'os-fields:m2', 'lcid-unknown:m2',
      'os-fields:… and 1 more os-fields finding like the above (only the first 2 of each rule are listed)',
    ]);
    expect(capFindings(list, 5)).toEqual(list);
  });

  it('FILES against the CAB: names match by base name or a dotted suffix, case-insensitively', () => {
    const cab = ['WER1234.tmp.WERInternalMetadata.xml', 'dir/Report.Version.TXT', 'memory.hdmp'];
    expect(cabHoldsFile(cab, 'WERInternalMetadata.xml')).toBe(true);
    expect(cabHoldsFile(cab, 'version.txt')).toBe(true);
    expect(cabHoldsFile(cab, 'report.version.txt')).toBe(true);
    expect(cabHoldsFile(cab, 'MEMORY.HDMP')).toBe(true);
    expect(cabHoldsFile(cab, 'hdmp')).toBe(true);
    expect(cabHoldsFile(cab, 'ory.hdmp')).toBe(false);
    expect(cabHoldsFile(cab, 'dir')).toBe(false);
  });
});
