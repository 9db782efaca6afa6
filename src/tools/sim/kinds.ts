// The four kinds of report `simulate` sends, with invented but realistic values (docs/protocol.md §4
// shapes, §7.5 parameter names), and the CAB a Windows client would upload for each: the
// metadata XML (UTF-16LE), Version.txt and a small minidump whose facts match the report.
import { encodeUtf16, toFiletime, writeMetadataXml, type ReportSpec } from '../../domain/report/report-writer.js';
import { writeCab, type CabCompressionName, type CabInputFile } from '../../domain/cab/cab-writer.js';
import { writeMinidump } from '../../domain/minidump/minidump-writer.js';

import type { Kind } from './kind-names.js';

const MACHINE = 'SIM-PC-01.sim.example.test';
const OS = '10.0.22631.2.0.0.256.48';

export function makeReport(kind: Kind, now: number, n = 1): ReportSpec {
  const eventtime = toFiletime(now);
  switch (kind) {
    case 'appcrash':
      return {
        machine: MACHINE, os: OS, lcid: 1033, user: 'SIM\\tester',
        app: { appname: 'Simulated Crasher', apppath: 'C:\\Program Files\\wer-sniff\\crashme.exe', appcompany: 'wer-sniff simulation' },
        event: { reporttype: 2, eventtype: 'APPCRASH', friendlyeventname: 'Stopped working', eventtime },
        params: [['Application Name', 'crashme.exe'], ['Application Version', '1.0.0.0'], ['Application Timestamp', '6543a1b2'],
          ['Fault Module Name', 'faulty.dll'], ['Fault Module Version', '1.0.0.0'], ['Fault Module Timestamp', '6543a1a0'],
          ['Exception Code', 'c0000005'], ['Exception Offset', (0x1a2f4 + n).toString(16).padStart(16, '0')]],
        secondary: [['OS Version', OS], ['Locale ID', '1033']],
        files: [['WERSIM1.tmp.WERInternalMetadata.xml', 5], ['WERSIM2.tmp.mdmp', 2], ['Version.txt', 5]],
      };
    case 'hang':
      return {
        machine: MACHINE, os: OS, lcid: 1031, user: 'SIM\\tester',
        app: { appname: 'Simulated Hanger', apppath: 'C:\\Program Files\\wer-sniff\\hangme.exe', appcompany: 'wer-sniff simulation' },
        event: { reporttype: 3, eventtype: 'AppHangB1', friendlyeventname: 'Stopped responding and was closed', eventtime },
        params: [['Application Name', 'hangme.exe'], ['Application Version', '1.0.0.0'], ['Application Timestamp', '6543a1b2'], ['Hang Signature', '9c1d'], ['Hang Type', '134217728']],
        secondary: [['Additional Hang Signature 1', '9c1d0e2f3a4b5c6d7e8f90a1b2c3d4e5']],
        files: [['WERSIM3.tmp.hdmp', 3], ['WERSIM4.tmp.appcompat.txt', 5]],
      };
    case 'bluescreen':
      return {
        machine: MACHINE, os: '10.0.20348.2.0.0.272.7', lcid: 1033, user: 'SYSTEM',
        app: { appname: 'Windows', apppath: 'C:\\Windows\\System32\\WerFault.exe' },
        event: { reporttype: 4, eventtype: 'BlueScreen', friendlyeventname: 'Shut down unexpectedly', eventtime },
        secondary: [['BCCode', '0000003b'], ['BCP1', '00000000C0000005'], ['BCP2', 'FFFFF80512345678'], ['BCP3', 'FFFFD00012345000'], ['BCP4', '0000000000000000'],
          ['OS Version', '10_0_20348'], ['Service Pack', '0_0'], ['Product', '272_7']],
        files: [['SIM-01.dmp', 2], ['sysdata.xml', 5], ['Version.txt', 5]],
      };
    case 'generic':
      return {
        machine: MACHINE, os: OS, lcid: 2057, user: 'SIM\\tester',
        app: { appname: 'Simulated Service', apppath: 'C:\\Services\\simsvc.exe', appcompany: 'wer-sniff simulation' },
        event: { reporttype: 1, eventtype: 'SimulatedFailure', friendlyeventname: 'Simulated failure', eventdescription: 'Sent by wer-sniff simulate', eventtime },
        params: [['Problem Signature 01', 'simsvc.exe'], ['Problem Signature 02', '1.0.0'], ['Problem Signature 03', `E_SIMULATED_${n}`]],
      };
  }
}

/** What Windows would pack for `report` (docs/protocol.md §8.1): metadata XML, Version.txt, a dump. */
export function makeCab(kind: Kind, report: ReportSpec, now: number, compression: CabCompressionName = 'mszip'): Buffer {
  const date = new Date(now);
  // The bluescreen report comes from a server (os SKU 7, Standard Server); the others from Windows 11 Pro.
  const [product, edition] = kind === 'bluescreen' ? ['(0x7): Windows Server 2022 Standard', 'ServerStandard'] : ['(0x30): Windows 11 Pro', 'Professional'];
  const files: CabInputFile[] = [
    { name: 'WERSIM1.tmp.WERInternalMetadata.xml', data: encodeUtf16(writeMetadataXml(report, product, edition)), date },
    { name: 'Version.txt', data: encodeUtf16(`Windows NT Version ${report.os.split('.').slice(0, 3).join('.')}\r\nProduct ${product}\r\nEdition: ${edition}\r\n`), date },
  ];
  const bugcheck = kind === 'bluescreen';
  const dump = writeMinidump({
    time: date,
    arch: 'AMD64',
    os: { major: 10, minor: 0, build: Number(report.os.split('.')[2]) },
    processors: 8,
    exception: { code: bugcheck ? 0xc0000005 : kind === 'hang' ? 0xcfffffff : 0xc0000005, address: 0x7ffb4c01a2f4n, threadId: 4242 },
    modules: [
      { name: 'C:\\Program Files\\wer-sniff\\crashme.exe', base: 0x7ff6a0000000n, size: 0x3c000, timestamp: 0x6543a1b2, version: '1.0.0.0' },
      { name: 'C:\\Program Files\\wer-sniff\\faulty.dll', base: 0x7ffb4c000000n, size: 0x40000, timestamp: 0x6543a1a0, version: '1.0.0.0' },
      { name: 'C:\\Windows\\System32\\ntdll.dll', base: 0x7ffb5e000000n, size: 0x1f8000, timestamp: 0x5e8a2b1c, version: '10.0.22621.2506' },
    ],
    threads: 6,
  });
  files.push({ name: bugcheck ? 'SIM-01.dmp' : kind === 'hang' ? 'WERSIM3.tmp.hdmp' : 'WERSIM2.tmp.mdmp', data: dump, date });
  // Every file the report's FILES lists is in the CAB, as Windows packs it (the check's
  // files-not-in-cab rule): the rest are small UTF-16 text or XML files.
  for (const [name] of report.files ?? []) {
    if (files.some((f) => f.name === name)) continue;
    const text = name.toLowerCase().endsWith('.xml')
      ? '<?xml version="1.0" encoding="UTF-16"?>\r\n<SystemInformation><Source>wer-sniff simulate</Source></SystemInformation>\r\n'
      : `${name}: written by wer-sniff simulate\r\n`;
    files.push({ name, data: encodeUtf16(text), date });
  }
  return writeCab(files, { compression });
}
