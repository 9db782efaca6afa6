import { describe, expect, test } from 'vitest';
import { isWerMetadata, parseWerMetadata } from '../../../src/domain/report/metadata.js';
import { XmlParseError } from '../../../src/domain/body/xml.js';

const DOC = `<?xml version="1.0" encoding="UTF-16"?>\r
<WERReportMetadata>\r
\t<OSVersionInformation>\r
\t\t<WindowsNTVersion>10.0</WindowsNTVersion>\r
\t\t<Build>19045</Build>\r
\t\t<LCID>1031</LCID>\r
\t</OSVersionInformation>\r
\t<ProblemSignatures>\r
\t\t<EventType>APPCRASH</EventType>\r
\t\t<Parameter0>widget.exe</Parameter0>\r
\t\t<Parameter2>65f1a2b3</Parameter2>\r
\t\t<Parameter6>c0000005</Parameter6>\r
\t\t<Unexpected>kept</Unexpected>\r
\t</ProblemSignatures>\r
\t<DynamicSignatures>\r
\t\t<Parameter1>10.0.19045.2.0.0.256.48</Parameter1>\r
\t</DynamicSignatures>\r
\t<SystemInformation><MID>AAAA</MID><SystemManufacturer>Example</SystemManufacturer></SystemInformation>\r
\t<SystemInformation><MID>BBBB</MID></SystemInformation>\r
\t<ReportInformation/>\r
</WERReportMetadata>\r
`;

describe('parseWerMetadata', () => {
  test('OS, locale, event type, parameters with meanings, dynamic signatures (CRLF document)', () => {
    const m = parseWerMetadata(DOC);
    expect(m.os).toEqual({ WindowsNTVersion: '10.0', Build: '19045', LCID: '1031' });
    expect(m.locale).toBe('1031 0x0407 de-DE');
    expect(m.eventType).toBe('APPCRASH');
    expect(m.parameters).toEqual([
      { id: 0, value: 'widget.exe' },
      { id: 2, value: '65f1a2b3', meaning: '2024-03-13T12:57:23Z' },
      { id: 6, value: 'c0000005', meaning: 'access violation' },
    ]);
    expect(m.dynamic).toEqual([{ name: 'Parameter1', value: '10.0.19045.2.0.0.256.48' }]);
  });

  test('the same document with LF line ends gives the same result', () => {
    expect(parseWerMetadata(DOC.replace(/\r\n/g, '\n'))).toEqual(parseWerMetadata(DOC));
  });

  test('unknown sections and children are kept, repeated sections are merged', () => {
    const m = parseWerMetadata(DOC);
    expect(m.sections).toEqual({
      ProblemSignatures: [['Unexpected', 'kept']],
      SystemInformation: [['MID', 'AAAA'], ['SystemManufacturer', 'Example'], ['MID', 'BBBB']],
      ReportInformation: [],
    });
  });

  test('element names like __proto__ are plain keys', () => {
    const m = parseWerMetadata('<WERReportMetadata><__proto__><a>1</a></__proto__><OSVersionInformation><__proto__>x</__proto__></OSVersionInformation></WERReportMetadata>');
    expect(Object.keys(m.sections)).toEqual(['__proto__']);
    expect(m.sections['__proto__']).toEqual([['a', '1']]);
    expect(m.os['__proto__']).toBe('x');
    expect(JSON.parse(JSON.stringify(m)).sections).toEqual(JSON.parse('{"__proto__":[["a","1"]]}'));
  });

  test('a foreign but well-formed document gives empty fields; malformed XML throws', () => {
    expect(parseWerMetadata('<other><x>1</x></other>')).toMatchObject({ os: {}, parameters: [], dynamic: [], sections: { x: [] } });
    expect(() => parseWerMetadata('<WERReportMetadata><OSVersionInformation>')).toThrow(XmlParseError);
  });

  test('isWerMetadata looks at the start of the text only', () => {
    expect(isWerMetadata(DOC)).toBe(true);
    expect(isWerMetadata('<werreportmetadata>')).toBe(true);
    expect(isWerMetadata('<WERReportMetadataX>')).toBe(false);
    expect(isWerMetadata(' '.repeat(600) + '<WERReportMetadata>')).toBe(false);
  });
});
