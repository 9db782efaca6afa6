import { describe, expect, test } from 'vitest';
import { explainLevel1Response, looksLikeLevel1Response, parseLevel1Response } from '../../../src/domain/server/level1-response.js';
import { splitVector } from '../../helpers/paths.js';

const bodyText = (name: string): string => splitVector(name).body.toString('latin1');
const DUMP = '\\PersistedCabs\\Generic\\APPCRASH\\widget.exe\\3.2.1.0\\65f1a2b3\\render.dll\\3.2.1.0\\65f1a2a0\\c0000005\\000000000001a2f4\\0b6f2c1e-5d4a-4e8b-9c37-2a1f0e9d8c7b.cab';

describe('parseLevel1Response on the vectors', () => {
  test('level2: asks for the CAB', () => {
    const r = parseLevel1Response(bodyText('level1-response-level2.http'));
    expect(r.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['Bucket', '1001', 1], ['BucketTable', '5', 2], ['iData', '1', 3], ['DumpFile', DUMP, 4],
    ]);
    expect(r.values).toEqual({ Bucket: '1001', BucketTable: '5', iData: '1', DumpFile: DUMP });
    expect(r.warnings).toEqual([]);
    expect(explainLevel1Response(r)).toEqual([
      'Bucket 1001 in table 5',
      `server asks for a CAB at ${DUMP} (level 2 PUT to that path)`,
    ]);
  });

  test('nolevel2: ends after level 1', () => {
    const r = parseLevel1Response(bodyText('level1-response-nolevel2.http'));
    expect(r.values).toEqual({ Bucket: '1002', BucketTable: '5' });
    expect(explainLevel1Response(r)).toEqual(['Bucket 1002 in table 5', 'no iData: the conversation ends after level 1']);
  });

  test('loose: blanks around = are trimmed, empty Response kept', () => {
    const r = parseLevel1Response(bodyText('level1-response-loose.http'));
    expect(r.entries.map((e) => [e.key, e.value])).toEqual([['Response', ''], ['Bucket', '1003'], ['BucketTable', '5']]);
    expect(r.warnings).toEqual([]);
    expect(explainLevel1Response(r)).toContain('Bucket 1003 in table 5');
  });
});

describe('parseLevel1Response rules', () => {
  test('first = splits, LF-only lines, lists, case warnings, junk lines', () => {
    const r = parseLevel1Response('WQL = SELECT a FROM b WHERE c=1; SELECT Family FROM Win32_Processor\nidata=1\ngarbage line\nFoo=bar\nGetFile=%WINDIR%\\win.ini;C:\\x.log;\n\n');
    expect(r.entries[0]).toEqual({
      key: 'WQL', value: 'SELECT a FROM b WHERE c=1; SELECT Family FROM Win32_Processor', line: 1, known: 'WQL',
      items: ['SELECT a FROM b WHERE c=1', 'SELECT Family FROM Win32_Processor'],
    });
    expect(r.entries[1]).toMatchObject({ key: 'idata', known: 'iData', value: '1' });
    expect(r.entries[3]!.items).toEqual(['%WINDIR%\\win.ini', 'C:\\x.log']);
    expect(r.values.iData).toBe('1');
    expect(r.warnings).toEqual([
      'line 2: key "idata" should be spelled "iData" (keys are case-sensitive, MS-CER2 §2.2.2)',
      'line 3: not Key=value: "garbage line"',
      'line 4: unknown key "Foo"',
    ]);
  });

  test('value checks and duplicates', () => {
    const r = parseLevel1Response('Bucket=0\r\niData=yes\r\nBucket=7\r\nDumpFile=\r\n');
    expect(r.values.Bucket).toBe('7');
    expect(r.warnings).toEqual([
      'line 1: Bucket should be a positive decimal number, got "0"',
      'line 2: iData should be 1 or 0, got "yes"',
      'line 3: Bucket repeats line 1; the last value is used',
      'line 4: DumpFile is empty',
    ]);
  });

  test('explanations', () => {
    const explain = (t: string): string[] => explainLevel1Response(parseLevel1Response(t));
    expect(explain('iData=1')).toEqual(['iData=1 but no DumpFile: Windows has nowhere to upload the CAB']);
    expect(explain('iData=0')).toEqual(['iData=0: the conversation ends after level 1']);
    expect(explain('Response=https://help.example.test/x\r\nBucket=4')).toEqual([
      'Response URL shown to the user: https://help.example.test/x', 'Bucket 4 (no BucketTable)', 'no iData: the conversation ends after level 1',
    ]);
    expect(explain('iData=1\r\nDumpFile=\\x.cab\r\nMemoryDump=1\r\nfDoc=1\r\nGetFile=a;b\r\nWQL=SELECT Family FROM Win32_Processor')).toEqual([
      'server asks for a CAB at \\x.cab (level 2 PUT to that path)',
      'server asks for: memory dump, open documents, files a; b, WQL SELECT Family FROM Win32_Processor',
    ]);
  });
});

describe('looksLikeLevel1Response', () => {
  test('yes', () => {
    expect(looksLikeLevel1Response('Bucket=1')).toBe(true);
    expect(looksLikeLevel1Response(bodyText('level1-response-loose.http'))).toBe(true);
  });
  test('no', () => {
    expect(looksLikeLevel1Response('')).toBe(false);
    expect(looksLikeLevel1Response('hello\nworld\nBucket=1')).toBe(false);
    expect(looksLikeLevel1Response('{"Bucket": 1}')).toBe(false);
    expect(looksLikeLevel1Response('a=1\nb=2')).toBe(false);
  });
});
