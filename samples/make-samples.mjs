// Regenerates the sample captures in this folder: `npm run build && node samples/make-samples.mjs`.
// Every value is invented (example.test hosts, made-up users and apps). Requests are what a
// Windows client sends (UTF-16LE XML with BOM, User-Agent MSDW), written by the same code as
// `wer-sniff simulate`; responses what a CER server answers (cp1252 Key=value lines).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encodeUtf16, toFiletime, writeLevel1Request, writeReportXml } from '../dist/wer/report-writer.js';

const here = dirname(fileURLToPath(import.meta.url));
const host = 'wer.corp.example.test:1273';
const post = (spec) => writeLevel1Request(host, encodeUtf16(writeReportXml(spec)));
const at = (iso) => toFiletime(Date.parse(iso));

const samples = {
  'appcrash.http': post({
    machine: 'DESK-7731.corp.example.test', os: '10.0.22631.2.0.0.256.48', lcid: 2057, user: 'CORP\\a.nguyen',
    app: { appname: 'Invoice Builder', apppath: 'C:\\Program Files\\Northwind\\Invoice Builder\\invbuild.exe', appcompany: 'Northwind Example Software' },
    event: { reporttype: 2, eventtype: 'APPCRASH', friendlyeventname: 'Stopped working', eventtime: at('2026-11-20T14:03:27.512Z') },
    params: [['Application Name', 'invbuild.exe'], ['Application Version', '4.12.0.311'], ['Application Timestamp', '6703c1f2'],
      ['Fault Module Name', 'pdfcore.dll'], ['Fault Module Version', '2.8.1.0'], ['Fault Module Timestamp', '66ff0a19'],
      ['Exception Code', 'c0000005'], ['Exception Offset', '00000000000431be']],
    secondary: [['OS Version', '10.0.22631.2.0.0.256.48'], ['Locale ID', '2057'], ['Additional Information 1', '1a7c'], ['Additional Information 2', '1a7c0d2f4e5b6a7c8d9e0f1a2b3c4d5e']],
    files: [['WER8A21.tmp.WERInternalMetadata.xml', 5], ['WER8B3F.tmp.mdmp', 2], ['Version.txt', 5]],
  }),
  'hang.http': post({
    machine: 'LAB-PC-019.corp.example.test', os: '10.0.19045.2.0.0.256.48', lcid: 1031, user: 'CORP\\m.keller',
    app: { appname: 'Spreadsheet Viewer', apppath: 'C:\\Program Files (x86)\\Contoso Example\\Viewer\\sview.exe', appcompany: 'Contoso Example Ltd' },
    event: { reporttype: 3, eventtype: 'AppHangB1', friendlyeventname: 'Stopped responding and was closed', eventdescription: 'A problem caused this program to stop interacting with Windows.', eventtime: at('2026-11-21T08:45:02.004Z') },
    params: [['Application Name', 'sview.exe'], ['Application Version', '11.0.4.2'], ['Application Timestamp', '65a8b7c6'], ['Hang Signature', '4b1e'], ['Hang Type', '134217728']],
    secondary: [['Additional Hang Signature 1', '4b1e8f0d3c2a1b0e9d8c7b6a59483726'], ['Additional Hang Signature 2', '7c3a']],
    files: [['WER1C2D.tmp.hdmp', 3], ['WER1D4E.tmp.appcompat.txt', 5]],
  }),
  'bluescreen.http': post({
    machine: 'SRV-FILE02.corp.example.test', os: '10.0.20348.2.0.0.272.7', lcid: 1033, user: 'SYSTEM',
    app: { appname: 'Windows', apppath: 'C:\\Windows\\System32\\WerFault.exe' },
    event: { reporttype: 4, eventtype: 'BlueScreen', friendlyeventname: 'Shut down unexpectedly', eventdescription: 'Windows has recovered from an unexpected shutdown', eventtime: at('2026-11-22T02:17:44.900Z') },
    secondary: [['BCCode', '000000d1'], ['BCP1', 'FFFFA00C1E2D3000'], ['BCP2', '0000000000000002'], ['BCP3', '0000000000000000'], ['BCP4', 'FFFFF8063A1B2C4D'],
      ['OS Version', '10_0_20348'], ['Service Pack', '0_0'], ['Product', '272_7']],
    files: [['112226-11234-01.dmp', 2], ['sysdata.xml', 5], ['Version.txt', 5]],
  }),
  'generic.http': post({
    machine: 'KIOSK-03.corp.example.test', os: '10.0.26100.2.0.0.256.101', lcid: 1041, user: 'KIOSK-03\\kiosk',
    app: { appname: 'Badge Printer Service', apppath: 'C:\\Services\\BadgePrint\\badgesvc.exe', appcompany: 'Example Facilities' },
    event: { reporttype: 1, eventtype: 'BadgePrintFailure', friendlyeventname: 'Badge printing failed', eventdescription: 'The printer queue rejected the job 3 times', eventtime: at('2026-11-23T11:30:00.000Z') },
    params: [['Problem Signature 01', 'badgesvc.exe'], ['Problem Signature 02', '2.0.7'], ['Problem Signature 03', 'E_QUEUE_REJECTED']],
  }),
  'level1-response.http': (() => {
    const body = 'Bucket=1847291\r\nBucketTable=17\r\nMemoryDump=1\r\nWQL=SELECT Caption FROM Win32_OperatingSystem\r\niData=1\r\n' +
      'DumpFile=\\PersistedCabs\\Generic\\APPCRASH\\invbuild.exe\\4.12.0.311\\6703c1f2\\pdfcore.dll\\2.8.1.0\\66ff0a19\\c0000005\\00000000000431be\\3f6c2a91-8d4e-4b7a-a1c5-0e9f2d7b6c48.cab\r\n';
    return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
  })(),
};

for (const [name, bytes] of Object.entries(samples)) writeFileSync(join(here, name), bytes);
console.log(`wrote ${Object.keys(samples).length} samples to ${here}`);
