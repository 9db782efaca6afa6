// Our writers feed our readers in most tests; here each format also meets an outside party.
// python3 writes a UTF-16 WER report (its own XML writer and codec, its own FILETIME arithmetic)
// that our decoder must read with the values python put in; python3's XML parser reads what our
// report and metadata writers produce (well-formed, UTF-16 with a BOM, the same values); and a
// hand-written level-1 answer with hand-checked values goes through our answer parser.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { parseWerReport } from '../../../src/domain/report/report.js';
import { parseLevel1Response } from '../../../src/domain/server/level1-response.js';
import { encodeUtf16, toFiletime, writeMetadataXml, writeReportXml, type ReportSpec } from '../../../src/domain/report/report-writer.js';
import { peer, skipNote } from '../../helpers/peers.js';

const PYTHON = peer('python3');

function python(script: string, input?: Buffer): Buffer {
  const r = spawnSync('python3', ['-c', script], { input, timeout: 30_000 });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe(`python3 and our WER report code agree${skipNote('python3')}`, () => {
  it.skipIf(!PYTHON)('a UTF-16 report written by python (ElementTree, utf-16 codec, datetime FILETIME) decodes to its values', () => {
    const body = python(`
import sys, datetime
import xml.etree.ElementTree as ET
t = datetime.datetime(2025, 2, 28, 23, 59, 58, 250000, tzinfo=datetime.timezone.utc)
ft = (t - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(microseconds=1) * 10
root = ET.Element('WERREPORT')
ET.SubElement(root, 'MACHINEINFO', machinename='Büro-PC-7.example.test', os='10.0.22631.2.0.0.256.48', lcid='1031')
ET.SubElement(root, 'USERINFO', username='EXAMPLE\\\\jörg')
ET.SubElement(root, 'APPLICATIONINFO', appname='Zeichen & "Formen" <Pro>', apppath='C:\\\\Programme\\\\Zeichen\\\\zf.exe', appcompany='Müller GmbH')
ET.SubElement(root, 'EVENTINFO', reporttype='2', eventtype='APPCRASH', friendlyeventname='Funktioniert nicht mehr', eventtime=str(ft))
sig = ET.SubElement(root, 'SIGNATURE')
ET.SubElement(sig, 'PARAMETER', id='0', name='Application Name', value='zf.exe')
ET.SubElement(sig, 'PARAMETER', id='1', name='Exception Code', value='c0000409')
xml = '<?xml version="1.0" encoding="UTF-16"?>' + ET.tostring(root, encoding='unicode')
sys.stdout.buffer.write(xml.encode('utf-16'))  # BOM + little-endian on this machine
`);
    expect([...body.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = decodeText(body);
    expect([text.charset, text.rule]).toEqual(['utf-16le', 'bom']);
    const r = parseWerReport(text.text);
    expect(r.warnings).toEqual([]);
    expect(r.machine).toMatchObject({ name: 'Büro-PC-7.example.test', os: { raw: '10.0.22631.2.0.0.256.48', build: 22631 }, lcid: { raw: '1031', tag: 'de-DE' } });
    expect(r.user).toBe('EXAMPLE\\jörg');
    expect(r.application).toEqual({ name: 'Zeichen & "Formen" <Pro>', path: 'C:\\Programme\\Zeichen\\zf.exe', company: 'Müller GmbH' });
    // 2025-02-28T23:59:58.25Z: 133852607982500000 × 100 ns since 1601 (by hand: unix 1740787198.25 + 11644473600 s)
    expect(r.event).toMatchObject({ eventType: 'APPCRASH', friendlyName: 'Funktioniert nicht mehr', time: { raw: '133852607982500000', iso: '2025-02-28T23:59:58.250Z' } });
    expect(r.parameters.map((p) => [p.id, p.name, p.value])).toEqual([[0, 'Application Name', 'zf.exe'], [1, 'Exception Code', 'c0000409']]);
  });

  const SPEC: ReportSpec = {
    machine: 'WKS-0042.lab.example.test', os: '10.0.19045.2.0.0.256.48', lcid: 1033, user: 'LAB\\jdoe',
    app: { appname: 'Widget <Pro> & "Co"', apppath: 'C:\\Program Files\\Widget\\widget.exe', appcompany: "O'Neil & Sons" },
    event: { reporttype: 2, eventtype: 'APPCRASH', friendlyeventname: 'Stopped working', eventdescription: 'a > b', eventtime: toFiletime(Date.UTC(2024, 4, 14, 9, 26, 54)) },
    params: [['Application Name', 'widget.exe'], ['Exception Code', 'c0000005']],
    secondary: [['OS Version', '10.0.19045.2.0.0.256.48']],
    files: [['WER4F2A.tmp.WERInternalMetadata.xml', 5]],
  };

  it.skipIf(!PYTHON)('python reads writeReportXml and writeMetadataXml (UTF-16 with BOM) and finds the same values', () => {
    const read = (bytes: Buffer) => JSON.parse(python(`
import sys, json
import xml.etree.ElementTree as ET
raw = sys.stdin.buffer.read()
assert raw[:2] == b'\\xff\\xfe', raw[:4]
root = ET.fromstring(raw.decode('utf-16').split('?>', 1)[1])
print(json.dumps({'tag': root.tag, 'all': [[e.tag, e.attrib, (e.text or '').strip()] for e in root.iter()]}))
`, bytes).toString());
    const report = read(encodeUtf16(writeReportXml(SPEC)));
    expect(report.tag).toBe('WERREPORT');
    const el = (tag: string) => report.all.filter((e: [string]) => e[0] === tag).map((e: [string, Record<string, string>]) => e[1]);
    expect(el('MACHINEINFO')).toEqual([{ machinename: SPEC.machine, os: SPEC.os, lcid: '1033' }]);
    expect(el('APPLICATIONINFO')).toEqual([{ appname: 'Widget <Pro> & "Co"', apppath: 'C:\\Program Files\\Widget\\widget.exe', appcompany: "O'Neil & Sons" }]);
    expect(el('EVENTINFO')[0]).toMatchObject({ eventtype: 'APPCRASH', eventdescription: 'a > b', eventtime: '133601524140000000' });
    expect(el('PARAMETER')).toEqual([{ id: '0', name: 'Application Name', value: 'widget.exe' }, { id: '1', name: 'Exception Code', value: 'c0000005' }]);

    const meta = read(encodeUtf16(writeMetadataXml(SPEC)));
    expect(meta.tag).toBe('WERReportMetadata');
    const text = Object.fromEntries(meta.all.filter((e: [string, unknown, string]) => e[2]).map((e: [string, unknown, string]) => [e[0], e[2]]));
    expect(text).toMatchObject({ WindowsNTVersion: '10.0', Build: '19045', LCID: '1033', EventType: 'APPCRASH', Parameter0: 'widget.exe', Parameter1: SPEC.os });
  });
});

describe('a hand-written level-1 answer (values checked by hand)', () => {
  it('Bucket, iData, DumpFile with a backslash path, and an unknown key kept', () => {
    const body = Buffer.from('Bucket=1593578212\r\nBucketTable=5\r\nResponse=1\r\niData=1\r\nDumpFile=\\PersistedCabs\\7f3a\\report.cab\r\nX-Unknown=yes\r\n', 'latin1');
    const r = parseLevel1Response(body.toString('latin1'));
    expect(r.values).toEqual({ Bucket: '1593578212', BucketTable: '5', Response: '1', iData: '1', DumpFile: '\\PersistedCabs\\7f3a\\report.cab' });
    expect(r.entries.map((e) => [e.line, e.key, e.known])).toEqual([
      [1, 'Bucket', 'Bucket'], [2, 'BucketTable', 'BucketTable'], [3, 'Response', 'Response'], [4, 'iData', 'iData'], [5, 'DumpFile', 'DumpFile'], [6, 'X-Unknown', undefined],
    ]);
    expect(r.warnings).toEqual(['line 6: unknown key "X-Unknown"']);
  });
});
