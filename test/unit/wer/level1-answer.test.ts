import { describe, expect, test } from 'vitest';
import type { WerReport } from '../../../src/domain/report/report.js';
import { parseWerReport } from '../../../src/domain/report/report.js';
import { explainLevel1Response, parseLevel1Response } from '../../../src/domain/server/level1-response.js';
import {
  buildLevel1Answer, checkAskItem, makeDumpFilePath, normalizeDumpTarget, safePathPart, signatureNumber,
} from '../../../src/domain/server/level1-answer.js';
import { writeReportXml } from '../../../src/domain/report/report-writer.js';
import { makeReport } from '../../../src/tools/sim/kinds.js';
import { T0 } from '../../helpers/factories.js';

const GUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const report = (kind: 'appcrash' | 'hang' | 'bluescreen' | 'generic', n = 1): WerReport =>
  parseWerReport(writeReportXml(makeReport(kind, T0, n)));
const base = { ask: [], noCab: false };

function lines(body: string): string[] {
  expect(body.endsWith('\r\n')).toBe(true);
  const out = body.slice(0, -2).split('\r\n');
  for (const l of out) expect(l).toMatch(/^[A-Za-z]+=[^\r\n]*$/); // strict form, no LF-only lines
  return out;
}

describe('buildLevel1Answer', () => {
  test('asks for the CAB: Bucket, BucketTable, iData=1, DumpFile, strict Key=value CRLF', () => {
    const r = report('appcrash');
    const a = buildLevel1Answer(r, base, GUID);
    const l = lines(a.body);
    expect(l.map((x) => x.slice(0, x.indexOf('=')))).toEqual(['Bucket', 'BucketTable', 'iData', 'DumpFile']);
    expect(l[0]).toBe(`Bucket=${signatureNumber(r, 'bucket')}`);
    expect(l[2]).toBe('iData=1');
    expect(a.dumpFile).toBe(
      `\\PersistedCabs\\Generic\\APPCRASH\\crashme.exe\\1.0.0.0\\6543a1b2\\faulty.dll\\1.0.0.0\\6543a1a0\\c0000005\\000000000001a2f5\\${GUID}.cab`,
    );
    expect(l[3]).toBe(`DumpFile=${a.dumpFile}`);
    const parsed = parseLevel1Response(a.body);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.values.DumpFile).toBe(a.dumpFile);
  });

  test('fixed Bucket/BucketTable and a Response URL come first', () => {
    const a = buildLevel1Answer(report('hang'), { ...base, bucket: 500, bucketTable: 7, responseUrl: 'https://help.example.test/kb/1' }, GUID);
    expect(lines(a.body).slice(0, 3)).toEqual(['Response=https://help.example.test/kb/1', 'Bucket=500', 'BucketTable=7']);
  });

  test('--ask items: flags, and list values joined with ; in first-seen key order', () => {
    const ask = ['memory-dump', 'file:C:\\a.txt', 'docs', 'wql:SELECT Family FROM Win32_Processor', 'file:%WINDIR%\\b.log',
      'regkey:HKLM\\SOFTWARE\\X', 'regtree:HKCU\\Y', 'file-version:C:\\w.exe'];
    const l = lines(buildLevel1Answer(report('appcrash'), { ...base, ask, bucket: 1, bucketTable: 1 }, GUID).body);
    expect(l.slice(2, -2)).toEqual([
      'MemoryDump=1', 'fDoc=1', 'GetFile=C:\\a.txt;%WINDIR%\\b.log', 'WQL=SELECT Family FROM Win32_Processor',
      'RegKey=HKLM\\SOFTWARE\\X', 'RegTree=HKCU\\Y', 'GetFileVersion=C:\\w.exe',
    ]);
  });

  test('--dump-server: DumpServer= between iData and DumpFile; our parser knows the key and names the host', () => {
    const a = buildLevel1Answer(report('appcrash'), { ...base, bucket: 1, bucketTable: 1, dumpServer: 'cer.example.test' }, GUID);
    expect(lines(a.body).map((x) => x.slice(0, x.indexOf('=')))).toEqual(['Bucket', 'BucketTable', 'iData', 'DumpServer', 'DumpFile']);
    expect(lines(a.body)[3]).toBe('DumpServer=cer.example.test');
    const parsed = parseLevel1Response(a.body);
    expect(parsed.warnings).toEqual([]);
    expect(explainLevel1Response(parsed).join('\n')).toContain(`server asks for a CAB at ${a.dumpFile} (level 2 PUT to that path on cer.example.test)`);
    // Without the flag, and with --no-cab, nothing new is sent.
    expect(buildLevel1Answer(report('appcrash'), base, GUID).body).not.toContain('DumpServer');
    expect(buildLevel1Answer(report('appcrash'), { ...base, noCab: true, dumpServer: 'x' }, GUID).body).not.toContain('DumpServer');
  });

  test('noCab: iData=0 and no DumpFile', () => {
    const a = buildLevel1Answer(report('appcrash'), { ...base, noCab: true, bucket: 9, bucketTable: 2 }, GUID);
    expect(a.body).toBe('Bucket=9\r\nBucketTable=2\r\niData=0\r\n');
    expect(a.dumpFile).toBeUndefined();
  });

  test('no report at all (undecodable body) still gets a valid answer', () => {
    const a = buildLevel1Answer(undefined, base, GUID);
    expect(a.dumpFile).toBe(`\\PersistedCabs\\Generic\\Unknown\\${GUID}.cab`);
    expect(parseLevel1Response(a.body).warnings).toEqual([]);
  });

  test('bucket numbers are stable per signature and differ between signatures', () => {
    const one = buildLevel1Answer(report('appcrash', 1), base, 'a').body.split('\r\n').slice(0, 2);
    const again = buildLevel1Answer(report('appcrash', 1), base, 'b').body.split('\r\n').slice(0, 2);
    const other = buildLevel1Answer(report('appcrash', 2), base, 'a').body.split('\r\n').slice(0, 2);
    expect(again).toEqual(one);
    expect(other[0]).not.toBe(one[0]);
    for (const kind of ['appcrash', 'hang', 'bluescreen', 'generic'] as const) {
      const r = report(kind);
      expect(signatureNumber(r, 'bucket')).toBeGreaterThan(0);
      expect(signatureNumber(r, 'bucket')).toBeLessThanOrEqual(0x7fffffff);
      const table = Number(/BucketTable=(\d+)/.exec(buildLevel1Answer(r, base, GUID).body)![1]);
      expect(table).toBeGreaterThanOrEqual(1);
      expect(table).toBeLessThanOrEqual(100);
    }
    expect(signatureNumber(report('hang'), 'bucket')).not.toBe(signatureNumber(report('generic'), 'bucket'));
  });

  test('hostile report values cannot add lines or keys to the answer', () => {
    // U+010A and U+013D have the low bytes of LF and `=`: they must not survive as such.
    const r: WerReport = {
      event: { eventType: 'APPCRASH' }, parameters: [{ id: 0, value: 'x\u010AiData\u013D0' }, { id: 1, value: 'a\r\nDumpFile=\\evil' }],
      secondary: [], files: [], extra: [], warnings: [],
    };
    const a = buildLevel1Answer(r, base, GUID);
    expect(a.dumpFile).toBe(`\\PersistedCabs\\Generic\\APPCRASH\\x_iData_0\\a_DumpFile_evil\\${GUID}.cab`);
    expect(lines(a.body)).toHaveLength(4);
    expect(a.body).toMatch(/^[\x20-\x7e\r\n]*$/);
  });
});

describe('makeDumpFilePath (docs/protocol.md §4 shapes)', () => {
  test('BlueScreen → \\PersistedCabs\\Blue\\<guid>.cab, any case', () => {
    expect(makeDumpFilePath(report('bluescreen'), GUID)).toBe(`\\PersistedCabs\\Blue\\${GUID}.cab`);
    const r = { ...report('bluescreen'), event: { eventType: 'BLUESCREEN' } };
    expect(makeDumpFilePath(r, GUID)).toBe(`\\PersistedCabs\\Blue\\${GUID}.cab`);
  });

  test('generic event: \\PersistedCabs\\Generic\\<eventtype>\\<P1>\\<P2>\\<P3>\\<guid>.cab', () => {
    expect(makeDumpFilePath(report('generic', 4), GUID)).toBe(`\\PersistedCabs\\Generic\\SimulatedFailure\\simsvc.exe\\1.0.0\\E_SIMULATED_4\\${GUID}.cab`);
  });

  test('parameters are ordered by id and at most 10 are used', () => {
    const params = Array.from({ length: 12 }, (_, i) => ({ id: 11 - i, value: `p${11 - i}` }));
    const r: WerReport = { event: { eventType: 'Custom' }, parameters: params, secondary: [], files: [], extra: [], warnings: [] };
    expect(makeDumpFilePath(r, 'g')).toBe('\\PersistedCabs\\Generic\\Custom\\p0\\p1\\p2\\p3\\p4\\p5\\p6\\p7\\p8\\p9\\g.cab');
  });
});

describe('safePathPart', () => {
  test.each([
    ['a\\b/c', 'a_b_c'],
    ['..', '_'],
    ['../../etc', '__.._etc'],
    ['...\\x', '__x'],
    ['%5C%2e%2e', '_5C_2e_2e'],
    ['a\x00\x01\x1f\x7f\x9fb', 'a_b'],
    ['tab\there new\nline', 'tab_here_new_line'],
    ['C:*?"<>|#&=;x', 'C_x'],
    ['виджет.exe', '_.exe'],
    ['emoji😀x', 'emoji_x'],
    ['', '_'],
    ['widget.exe', 'widget.exe'],
  ])('%j → %j', (input, want) => {
    expect(safePathPart(input)).toBe(want);
  });

  test('length is bounded', () => {
    expect(safePathPart('x'.repeat(500))).toBe('x'.repeat(64));
    expect(safePathPart('abcdef', 3)).toBe('abc');
  });
});

describe('normalizeDumpTarget', () => {
  const issued = '\\PersistedCabs\\Blue\\ABC.cab';
  test.each([
    issued,
    '/PersistedCabs/Blue/ABC.cab',
    '%5CPersistedCabs%5CBlue%5CABC.cab',
    '%5cpersistedcabs%5cblue%5cabc.CAB',
    'http://cer-lab.example.test:1273/PersistedCabs/Blue/ABC.cab',
    'HTTP://cer-lab.example.test:1273\\PersistedCabs\\Blue\\ABC.cab',
    'PersistedCabs\\Blue\\ABC.cab',
    '\\\\PersistedCabs//Blue\\ABC.cab',
    '/PersistedCabs%2FBlue%2FABC.cab',
  ])('%s matches', (target) => {
    expect(normalizeDumpTarget(target)).toBe('/persistedcabs/blue/abc.cab');
  });

  test('different paths stay different; broken percent escapes still normalise', () => {
    expect(normalizeDumpTarget('/PersistedCabs/Blue/ABD.cab')).not.toBe(normalizeDumpTarget(issued));
    expect(normalizeDumpTarget('%E0%5CPersistedCabs%5Cx')).toBe('/%e0/persistedcabs/x');
  });
});

describe('checkAskItem', () => {
  test('valid items', () => {
    for (const ok of ['memory-dump', 'docs', 'file:C:\\x', 'file-version:C:\\x.exe', 'wql:SELECT 1', 'regkey:HKLM\\X', 'regtree:HKCU\\Y']) {
      expect(checkAskItem(ok)).toBeUndefined();
    }
  });

  test('unknown kinds name the accepted ones', () => {
    expect(checkAskItem('dump')).toBe('unknown --ask item "dump" — use memory-dump, docs, file:<path>, file-version:<path>, wql:<query>, regkey:<key> or regtree:<key>');
    expect(checkAskItem('FILE:C:\\x')).toMatch(/^unknown --ask item "FILE:C:\\x"/);
  });

  test('missing values show an example', () => {
    expect(checkAskItem('wql:')).toBe('--ask wql: needs a value, e.g. wql:SELECT Family FROM Win32_Processor');
    expect(checkAskItem('file')).toBe('--ask file: needs a value, e.g. file:C:\\Windows\\win.ini');
  });

  test('line breaks are refused', () => {
    expect(checkAskItem('file:C:\\x\r\nDumpFile=y')).toBe('--ask file: the value must not contain line breaks');
    expect(checkAskItem('regkey:a\nb')).toBe('--ask regkey: the value must not contain line breaks');
  });
});
