// Findings for people and for NDJSON: the verdict line, severity/rule/section/message/fix
// per finding, control characters from the wire escaped, and one `finding` event per finding.
import { describe, expect, it } from 'vitest';
import { finding } from '../../../src/analysis/check/rules.js';
import { formatFindings, formatLateFindings, formatVerdict } from '../../../src/render/format-findings.js';
import { toFindingEvents } from '../../../src/sinks/ndjson.js';
import { plainPaint } from '../../../src/render/paint.js';
import { checkBytes, report } from '../../helpers/crafted.js';
import { makeConnection, T0 } from '../../helpers/factories.js';

describe('format-findings', () => {
  it('a verdict counts by severity, or says there are none', () => {
    expect(formatVerdict([], plainPaint)).toBe('no findings');
    const list = [finding('signature-empty', 'm', 'f'), finding('os-fields', 'm', 'f'), finding('lcid-unknown', 'm', 'f')];
    expect(formatVerdict(list, plainPaint)).toBe('1 error, 2 notes');
  });

  it('each finding: severity, rule, section, message, then the fix', () => {
    const lines = formatFindings([finding('reporttype-range', 'reporttype "7" is outside 0-4', 'use 0-4')], plainPaint, 'Check', '  ');
    expect(lines).toEqual([
      '  Check 1 error',
      '    ✗ error   reporttype-range §2.2.1.2.4  reporttype "7" is outside 0-4',
      '                → use 0-4',
    ]);
  });

  it('escapes control characters that came from the wire', () => {
    const [r] = checkBytes(report({}, (x) => x.replace('reporttype="2"', 'reporttype="\x1b[2J"')));
    const text = formatFindings(r!.findings, plainPaint).join('\n');
    expect(text).not.toContain('\x1b');
    expect(text).toContain('\\x1b[2J');
  });

  it('late findings name their report; NDJSON gives one finding event each', () => {
    const late = { ts: T0, connection: makeConnection({ id: 3 }), seq: 2, reportId: 'r7', stage: 'end' as const, key: '3:2', findings: [finding('cab-not-uploaded', 'no PUT came', 'check level 2')] };
    expect(formatLateFindings(late, plainPaint)[0]).toBe('#3 check at the end of report r7: 1 warning');
    expect(toFindingEvents(late)).toEqual([{
      type: 'finding', ts: new Date(T0).toISOString(), conn: 3, seq: 2, reportId: 'r7', stage: 'end',
      severity: 'warning', rule: 'cab-not-uploaded', section: '§2.2.3', ref: 'docs/protocol.md §5', message: 'no PUT came', fix: 'check level 2',
    }]);
  });
});
