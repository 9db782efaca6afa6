// The pure parts of `diff`: --ignore patterns and the field comparison (changed, only on one
// side, header order, placement of fields only b has).
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIFF_IGNORE, isIgnored, parseIgnoreList } from '../../../src/analysis/diff/ignore.js';
import { diffFields, isEqual } from '../../../src/analysis/diff/compare.js';
import type { Field } from '../../../src/analysis/diff/fields.js';

const f = (name: string, value: string, group: Field['group'] = 'report'): Field => ({ group, name, key: name.toLowerCase(), value });

describe('--ignore', () => {
  it('matches a field, what is below a prefix, a last part, and * patterns, case-insensitively', () => {
    expect(isIgnored('report.EVENTINFO.eventtime', DEFAULT_DIFF_IGNORE)).toBe(true);
    expect(isIgnored('report.EVENTINFO.eventtype', DEFAULT_DIFF_IGNORE)).toBe(false);
    // the CAB's packed size is left out by default, its files and the report's size are not
    expect(isIgnored('upload.body.length', DEFAULT_DIFF_IGNORE)).toBe(true);
    expect(isIgnored('upload.header.Content-Length', DEFAULT_DIFF_IGNORE)).toBe(true);
    expect(isIgnored('request.body.length', DEFAULT_DIFF_IGNORE)).toBe(false);
    expect(isIgnored('cab.file[WERSIM3.tmp.hdmp]', DEFAULT_DIFF_IGNORE)).toBe(false);
    expect(isIgnored('report.MACHINEINFO.os', ['report.machineinfo'])).toBe(true);
    expect(isIgnored('report.MACHINEINFOX.os', ['report.MACHINEINFO'])).toBe(false);
    expect(isIgnored('report.SIGNATURE.PARAMETER[3].value', ['report.SIGNATURE.PARAMETER'])).toBe(true);
    expect(isIgnored('request.header.Host', ['host'])).toBe(true);
    expect(isIgnored('report.SIGNATURE.PARAMETER[7].value', ['*PARAMETER[7]*'])).toBe(true);
    expect(isIgnored('report.SIGNATURE.PARAMETER[6].value', ['*PARAMETER[7]*'])).toBe(false);
  });

  it('parses comma lists; an empty value compares everything; repeats add up', () => {
    expect(parseIgnoreList('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(parseIgnoreList('', DEFAULT_DIFF_IGNORE)).toEqual([]);
    expect(parseIgnoreList('x', parseIgnoreList('a', DEFAULT_DIFF_IGNORE))).toEqual(['a', 'x']);
  });
});

describe('diffFields', () => {
  it('classifies fields and keeps fields only b has beside their neighbour', () => {
    const a = [f('report.A.x', '1'), f('report.A.y', '2'), f('report.C.z', '3')];
    const b = [f('report.A.x', '1'), f('report.A.y', '9'), f('report.B.new', 'n'), f('report.C.z', '3')];
    const rows = diffFields(a, b, []);
    expect(rows.map((r) => [r.field, r.status])).toEqual([
      ['report.A.x', 'same'], ['report.A.y', 'changed'], ['report.B.new', 'only-b'], ['report.C.z', 'same'],
    ]);
    expect(isEqual(rows)).toBe(false);
    expect(isEqual(diffFields(a, a, []))).toBe(true);
    expect(diffFields([f('report.A.x', '1')], [], [])[0]).toMatchObject({ status: 'only-a', a: '1' });
  });

  it('header order: a different relative order is "order"; added headers alone are not', () => {
    const order = (v: string): Field => f('request.header-order', v, 'request');
    expect(diffFields([order('Host, User-Agent')], [order('User-Agent, Host')], [])[0]!.status).toBe('order');
    expect(diffFields([order('Host, User-Agent')], [order('Host, Expect, User-Agent')], [])[0]!.status).toBe('same');
  });

  it('ignored fields are left out entirely', () => {
    const rows = diffFields([f('report.EVENTINFO.eventtime', '1')], [f('report.EVENTINFO.eventtime', '2')], DEFAULT_DIFF_IGNORE);
    expect(rows).toEqual([]);
  });
});
