import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { parseWerReport } from '../../../src/domain/report/report.js';
import { formatWerReport } from '../../../src/render/format-report.js';
import { splitVector } from '../../helpers/paths.js';
import { marked, plain } from './paints.js';

const reportOf = (name: string) => parseWerReport(decodeText(splitVector(name).body).text);

describe('formatWerReport', () => {
  test('APPCRASH summary and signature table', () => {
    expect(formatWerReport(reportOf('level1-appcrash.http'), plain)).toEqual([
      'WER report · APPCRASH · Stopped working',
      '  Machine      WKS-0042.lab.example.test',
      '  User         LAB\\jdoe',
      '  OS           Windows 10 22H2 · build 19045 · suite 0x100 SingleUserTS · SKU 0x30 Professional (best-effort) (10.0.19045.2.0.0.256.48)',
      '  Locale       1033 0x0409 en-US',
      '  Application  Widget Studio · C:\\Program Files\\Widget\\widget.exe · Example Widgets Ltd',
      '  Event        APPCRASH · report type 2 WerReportApplicationCrash · "Stopped working"',
      '  Event time   2024-05-14T09:26:53.123Z',
      '  Signature',
      '    id │ name                   │ value            │ meaning',
      '    0  │ Application Name       │ widget.exe',
      '    1  │ Application Version    │ 3.2.1.0',
      '    2  │ Application Timestamp  │ 65f1a2b3         │ 2024-03-13T12:57:23Z',
      '    3  │ Fault Module Name      │ render.dll',
      '    4  │ Fault Module Version   │ 3.2.1.0',
      '    5  │ Fault Module Timestamp │ 65f1a2a0         │ 2024-03-13T12:57:04Z',
      '    6  │ Exception Code         │ c0000005         │ access violation',
      '    7  │ Exception Offset       │ 000000000001a2f4',
      '  Secondary parameters',
      '    name       │ value                   │ meaning',
      '    OS Version │ 10.0.19045.2.0.0.256.48 │ Windows 10 22H2 · build 19045',
      '    Locale ID  │ 1033                    │ 0x0409 en-US',
      '  Files',
      '    Version.txt │ type 5 Other',
    ]);
  });

  test('BlueScreen: bugcheck name and files', () => {
    const lines = formatWerReport(reportOf('level1-bluescreen.http'), plain);
    expect(lines).toContain('    BCCode       │ d1               │ DRIVER_IRQL_NOT_LESS_OR_EQUAL');
    expect(lines).toContain('    051524-12345-01.dmp │ type 2 Minidump');
    expect(lines.some((l) => l.includes('Signature'))).toBe(false);
  });

  test('missing names fall back to the known label, extras and warnings are listed, wire text escaped', () => {
    const r = parseWerReport(`<WERREPORT><EVENTINFO eventtype="APPCRASH" reporttype="2" eventtime="x"/>
      <USERINFO username="evil&#x1b;]0;pwned&#7;"/><SIGNATURE><PARAMETER id="6" value="c00000fd"/></SIGNATURE><X a="&#x202e;"/></WERREPORT>`);
    const lines = formatWerReport(r, marked);
    expect(lines).toContain('  User         evil⟦\\x1b⟧]0;pwned⟦\\x07⟧');
    expect(lines).toContain('    6  │ (Exception Code) │ c00000fd │ stack overflow');
    expect(lines).toContain('  Event time   x (not a FILETIME)');
    expect(lines).toContain('  Not in the schema');
    expect(lines).toContain('    X a="⟦\\u202e⟧"');
    expect(lines).toContain('  Warnings');
    expect(lines).toContain('    ! eventtime is not a number');
    expect(lines.join('\n')).not.toContain('\x1b');
  });
});
