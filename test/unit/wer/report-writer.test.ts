import { describe, expect, test } from 'vitest';
import { decodeFiletime, FILETIME_UNIX_EPOCH } from '../../../src/domain/report/fields.js';
import { parseWerReport } from '../../../src/domain/report/report.js';
import { parseWerMetadata } from '../../../src/domain/report/metadata.js';
import { decodeText } from '../../../src/domain/body/charset.js';
import {
  encodeUtf16, toFiletime, writeLevel1Request, writeMetadataXml, writeReportXml, type ReportSpec,
} from '../../../src/domain/report/report-writer.js';
import { T0 } from '../../helpers/factories.js';

const SPEC: ReportSpec = {
  machine: 'WKS-0042.lab.example.test', os: '10.0.19045.2.0.0.256.48', lcid: 1033, user: 'LAB\\jdoe',
  app: { appname: 'Widget <Pro> & "Co"', apppath: 'C:\\Program Files\\Widget\\widget.exe', appcompany: "O'Neil & Sons" },
  event: { reporttype: 2, eventtype: 'APPCRASH', friendlyeventname: 'Stopped working', eventdescription: 'a > b', eventtime: toFiletime(T0) },
  params: [['Application Name', 'widget.exe'], ['Application Version', '1.2.3.4'], ['Exception Code', 'c0000005']],
  secondary: [['OS Version', '10.0.19045.2.0.0.256.48'], ['Locale ID', '1033']],
  files: [['WER4F2A.tmp.WERInternalMetadata.xml', 5], ['WER5A11.tmp.mdmp', 2]],
};

describe('toFiletime', () => {
  test('known values', () => {
    expect(toFiletime(0)).toBe(FILETIME_UNIX_EPOCH);
    expect(toFiletime(T0)).toBe(133601524140000000n);
    expect(toFiletime(-11644473600000)).toBe(0n); // 1601-01-01
  });

  test('round-trips with decodeFiletime at millisecond precision', () => {
    for (const ms of [T0, 0, 1, T0 + 123, -1, Date.UTC(1601, 0, 1, 0, 0, 0, 1), Date.UTC(2099, 11, 31, 23, 59, 59, 999)]) {
      expect(decodeFiletime(toFiletime(ms))!.iso).toBe(new Date(ms).toISOString());
      expect(decodeFiletime(String(toFiletime(ms)))!.iso).toBe(new Date(ms).toISOString());
    }
  });
});

describe('writeReportXml → parseWerReport', () => {
  test('gives back the same fields, special characters included', () => {
    const r = parseWerReport(writeReportXml(SPEC));
    expect(r.warnings).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(r.machine).toMatchObject({ name: SPEC.machine, os: { raw: SPEC.os }, lcid: { raw: '1033' } });
    expect(r.user).toBe('LAB\\jdoe');
    expect(r.application).toEqual({ name: 'Widget <Pro> & "Co"', path: 'C:\\Program Files\\Widget\\widget.exe', company: "O'Neil & Sons" });
    expect(r.event).toMatchObject({
      reportType: { code: 2 }, eventType: 'APPCRASH', friendlyName: 'Stopped working', description: 'a > b',
      time: { raw: '133601524140000000', iso: '2024-05-14T09:26:54.000Z' },
    });
    expect(r.parameters.map((p) => [p.id, p.name, p.value])).toEqual([
      [0, 'Application Name', 'widget.exe'], [1, 'Application Version', '1.2.3.4'], [2, 'Exception Code', 'c0000005'],
    ]);
    expect(r.secondary.map((p) => [p.name, p.value])).toEqual([['OS Version', SPEC.os], ['Locale ID', '1033']]);
    expect(r.files).toMatchObject([{ name: 'WER4F2A.tmp.WERInternalMetadata.xml', type: { code: '5' } }, { name: 'WER5A11.tmp.mdmp', type: { code: '2' } }]);
  });

  test('optional parts left out are absent after parsing', () => {
    const r = parseWerReport(writeReportXml({ ...SPEC, app: undefined, params: undefined, secondary: undefined, files: undefined }));
    expect(r.application).toBeUndefined();
    expect(r.parameters).toEqual([]);
    expect(r.files).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  test('the encoded body decodes by its BOM to the same text', () => {
    const xml = writeReportXml(SPEC);
    const body = encodeUtf16(xml);
    expect([...body.subarray(0, 4)]).toEqual([0xff, 0xfe, 0x3c, 0x00]);
    const d = decodeText(body);
    expect([d.charset, d.rule, d.text]).toEqual(['utf-16le', 'bom', xml]);
  });
});

describe('writeLevel1Request', () => {
  test('POST /stage2.htm with the vector headers and an exact Content-Length', () => {
    const body = encodeUtf16('<WERREPORT/>');
    const req = writeLevel1Request('cer-lab.example.test:1273', body);
    const head = 'POST /stage2.htm HTTP/1.1\r\nUser-Agent: MSDW\r\nHost: cer-lab.example.test:1273\r\n' +
      `Content-Length: ${body.length}\r\nConnection: Keep-Alive\r\n\r\n`;
    expect(req).toEqual(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
});

describe('writeMetadataXml → parseWerMetadata', () => {
  test('round-trips OS, event type and parameters', () => {
    const m = parseWerMetadata(writeMetadataXml(SPEC));
    expect(m.os).toEqual({
      WindowsNTVersion: '10.0', Build: '19045', Product: '(0x30): Windows 11 Pro', Edition: 'Professional', Architecture: 'X64', LCID: '1033',
    });
    expect(m.locale).toBe('1033 0x0409 en-US');
    expect(m.eventType).toBe('APPCRASH');
    expect(m.parameters.map((p) => [p.id, p.value])).toEqual([[0, 'widget.exe'], [1, '1.2.3.4'], [2, 'c0000005']]);
    expect(m.dynamic).toEqual([{ name: 'Parameter1', value: SPEC.os }, { name: 'Parameter2', value: '1033' }]);
  });
});
