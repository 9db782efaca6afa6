import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { parseWerReport, type WerReport } from '../../../src/domain/report/report.js';
import { XmlParseError } from '../../../src/domain/body/xml.js';
import { readVector, splitVector } from '../../helpers/paths.js';

function reportOf(vector: string): WerReport {
  return parseWerReport(decodeText(splitVector(vector).body).text);
}

/** FILETIME → ISO computed differently from the decoder: Date arithmetic from 1601. */
function expectedIso(ft: bigint): string {
  return new Date(Date.UTC(1601, 0, 1) + Number(ft / 10000n)).toISOString();
}

describe('parseWerReport on the level 1 vectors', () => {
  test('APPCRASH (spec 4.1 shape)', () => {
    const r = reportOf('level1-appcrash.http');
    expect(r.warnings).toEqual([]);
    expect(r.machine?.name).toBe('WKS-0042.lab.example.test');
    expect(r.machine?.os).toMatchObject({ raw: '10.0.19045.2.0.0.256.48', build: 19045, versionName: 'Windows 10 22H2' });
    expect(r.machine?.lcid).toMatchObject({ raw: '1033', lcid: 1033, hex: '0x0409', tag: 'en-US' });
    expect(r.user).toBe('LAB\\jdoe');
    expect(r.application).toEqual({ name: 'Widget Studio', path: 'C:\\Program Files\\Widget\\widget.exe', company: 'Example Widgets Ltd' });
    expect(r.event).toMatchObject({
      reportType: { code: 2, name: 'WerReportApplicationCrash' }, eventType: 'APPCRASH', friendlyName: 'Stopped working',
    });
    expect(r.event?.time?.raw).toBe('133601524131234560');
    expect(r.event?.time?.iso).toBe(expectedIso(133601524131234560n));
    expect(r.event?.time?.iso).toBe('2024-05-14T09:26:53.123Z'); // checked by hand (python datetime)
    expect(r.parameters).toHaveLength(8);
    expect(r.parameters[6]).toEqual({ id: 6, name: 'Exception Code', value: 'c0000005', meaning: 'access violation' });
    expect(r.parameters[2]).toMatchObject({ value: '65f1a2b3', meaning: '2024-03-13T12:57:23Z' });
    expect(r.parameters[7]).toEqual({ id: 7, name: 'Exception Offset', value: '000000000001a2f4' });
    expect(r.secondary).toEqual([
      { name: 'OS Version', value: '10.0.19045.2.0.0.256.48', meaning: 'Windows 10 22H2 · build 19045' },
      { name: 'Locale ID', value: '1033', meaning: '0x0409 en-US' },
    ]);
    expect(r.files).toEqual([{ name: 'Version.txt', type: { code: '5', name: 'Other' } }]);
    expect(r.extra).toEqual([]);
  });

  test('the standalone UTF-16LE body file gives the same report', () => {
    expect(parseWerReport(decodeText(readVector('level1-appcrash.body.xml')).text)).toEqual(reportOf('level1-appcrash.http'));
  });

  test('AppHangB1', () => {
    const r = reportOf('level1-hang.http');
    expect(r.event).toMatchObject({ reportType: { code: 3, name: 'WerReportApplicationHang' }, eventType: 'AppHangB1' });
    expect(r.event?.time?.iso).toBe(expectedIso(133601545275000000n));
    expect(r.parameters.map((p) => p.name)).toEqual(['Application Name', 'Application Version', 'Application Timestamp', 'Hang Signature', 'Hang Type']);
    expect(r.secondary.at(-1)).toEqual({ name: 'Additional Hang Signature 1', value: '7c1d3f0e9a8b7c6d5e4f30211f0e0d0c' });
    expect(r.warnings).toEqual([]);
  });

  test('BlueScreen (spec 4.3 shape): secondary parameters only', () => {
    const r = reportOf('level1-bluescreen.http');
    expect(r.event).toMatchObject({ reportType: { code: 4, name: 'WerReportKernel' }, eventType: 'BlueScreen' });
    expect(r.application?.name).toBe('Windows');
    expect(r.parameters).toEqual([]);
    expect(r.secondary[0]).toEqual({ name: 'BCCode', value: 'd1', meaning: 'DRIVER_IRQL_NOT_LESS_OR_EQUAL' });
    expect(r.secondary.find((p) => p.name === 'OS Version')?.meaning).toBe('Windows 10 22H2 · build 19045');
    expect(r.secondary.find((p) => p.name === 'Service Pack')?.meaning).toBe('no service pack');
    expect(r.files.map((f) => f.type.name)).toEqual(['Minidump', 'Other', 'Other']);
    expect(r.event?.time?.iso).toBe('2024-05-15T06:45:00.000Z');
  });

  test('generic (spec 4.4 shape): no FILES', () => {
    const r = reportOf('level1-generic.http');
    expect(r.event).toMatchObject({ reportType: { code: 1, name: 'WerReportCritical' }, eventType: 'WidgetInstallFail' });
    expect(r.parameters.map((p) => p.value)).toEqual(['3.2.1', '0x80070005', 'CopyFiles']);
    expect(r.parameters.every((p) => p.meaning === undefined)).toBe(true);
    expect(r.files).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe('leniency', () => {
  test('any order, case-insensitive names, unknown elements and attributes kept', () => {
    const r = parseWerReport(`<werreport foo="1">
      <Signature><Parameter ID="7" Value="c0000409" Name="异常代码"/><Bonus x="y"/></Signature>
      <EventInfo EventType="BEX64" ReportType="2" EventTime="128496996179046077" extra="e"/>
      <MachineInfo MachineName="m" OS="6.1.7601.2.1.0.256.1" LCID="1031" OEM="Contoso"/>
      <Custom a="b">text<Inner/></Custom>
    </werreport>`);
    expect(r.event).toMatchObject({ eventType: 'BEX64', time: { iso: '2008-03-11T09:00:17.904Z' } });
    // localized name: meaning falls back to id + eventtype (BEX64 id 7 = Exception Code)
    expect(r.parameters).toEqual([{ id: 7, name: '异常代码', value: 'c0000409', meaning: expect.stringMatching(/stack buffer overrun/) }]);
    expect(r.machine).toMatchObject({ name: 'm', oem: 'Contoso', os: { versionName: 'Windows 7 SP1' }, lcid: { tag: 'de-DE' } });
    expect(r.extra).toEqual([
      { element: 'werreport', attrs: [['foo', '1']] },
      { element: 'Signature/Bonus', attrs: [['x', 'y']] },
      { element: 'EventInfo', attrs: [['extra', 'e']] },
      { element: 'Custom', attrs: [['a', 'b']], text: 'text' },
      { element: 'Custom/Inner', attrs: [] },
    ]);
    expect(r.warnings).toEqual(['no USERINFO element']);
  });

  test('warnings for bad values and missing pieces', () => {
    const r = parseWerReport(`<WERREPORT><MACHINEINFO os="6.1.7601.2.1.0.256" lcid="abc"/>
      <EVENTINFO reporttype="9" eventtype="APPCRASH" eventtime="yesterday"/>
      <SIGNATURE><PARAMETER id="A" value="v"/><PARAMETER id="1"/></SIGNATURE>
      <FILES><FILE filename="f" filetype="x"/></FILES><USERINFO username="u"/><USERINFO username="v"/></WERREPORT>`);
    expect(r.warnings).toEqual([
      'MACHINEINFO has no machinename attribute',
      'os string has 7 fields, expected 8',
      'lcid "abc" is not a number',
      'reporttype 9 is outside 0-4',
      'eventtime is not a number',
      'PARAMETER id "A" is not a digit 0-9',
      'PARAMETER has no value attribute',
      'FILE filetype "x" is not a number',
      'more than one USERINFO element; only the first is used',
    ]);
    expect(r.user).toBe('u');
    expect(r.event?.time).toEqual({ raw: 'yesterday' });
    expect(r.parameters[0]!.id).toBe('A');
  });

  test('a different root element is reported, not fatal', () => {
    expect(parseWerReport('<Report/>').warnings).toContain('root element is Report, expected WERREPORT');
  });

  test('malformed XML throws XmlParseError', () => {
    expect(() => parseWerReport('<WERREPORT><USERINFO></WERREPORT>')).toThrow(XmlParseError);
  });
});
