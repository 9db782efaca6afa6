// Writes what a Windows client sends at level 1 (MS-CER2 §2.2.1, §4): the <WERREPORT> XML as
// UTF-16LE with a BOM, and the POST /stage2.htm around it. Used by `simulate` and by
// samples/make-samples.mjs. It writes; parsing lives in domain/report/report.ts.

export interface ReportSpec {
  machine: string;
  /** Dotted 8-field os string, e.g. 10.0.22631.2.0.0.256.48 (docs/protocol.md §7.2). */
  os: string;
  lcid: number;
  user: string;
  app?: { appname: string; apppath: string; appcompany?: string };
  event: { reporttype: number; eventtype: string; friendlyeventname?: string; eventdescription?: string; eventtime: bigint };
  /** PARAMETER id 0.. in order: [name, value]. */
  params?: [string, string][];
  secondary?: [string, string][];
  /** FILE entries: [filename, filetype]. */
  files?: [string, number][];
}

const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** Windows FILETIME (100 ns ticks since 1601-01-01 UTC) of a JS time. */
export function toFiletime(ms: number): bigint {
  return BigInt(Math.round(ms)) * 10000n + FILETIME_UNIX_EPOCH;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attrs(o: Record<string, string | number | bigint | undefined>): string {
  return Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
}

export function writeReportXml(r: ReportSpec): string {
  let x = '<?xml version="1.0" encoding="UTF-16"?>';
  x += '<WERREPORT xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
  x += `<MACHINEINFO${attrs({ machinename: r.machine, os: r.os, lcid: r.lcid })}/>`;
  x += `<USERINFO${attrs({ username: r.user })}/>`;
  if (r.app) x += `<APPLICATIONINFO${attrs(r.app)}/>`;
  x += `<EVENTINFO${attrs(r.event)}/>`;
  x += '<SIGNATURE>';
  (r.params ?? []).forEach(([name, value], id) => (x += `<PARAMETER${attrs({ id, name, value })}/>`));
  for (const [name, value] of r.secondary ?? []) x += `<SECONDARYPARAMETER${attrs({ name, value })}/>`;
  x += '</SIGNATURE>';
  if (r.files) x += `<FILES>${r.files.map(([filename, filetype]) => `<FILE${attrs({ filename, filetype })}/>`).join('')}</FILES>`;
  return x + '</WERREPORT>';
}

/** "Unicode" as Windows means it: UTF-16LE, with the BOM FF FE. */
export function encodeUtf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** The level-1 request exactly as the vectors show Windows sending it. */
export function writeLevel1Request(host: string, body: Buffer): Buffer {
  const head = `POST /stage2.htm HTTP/1.1\r\nUser-Agent: MSDW\r\nHost: ${host}\r\nContent-Length: ${body.length}\r\nConnection: Keep-Alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** The `*.WERInternalMetadata.xml` Windows puts in the CAB (docs/protocol.md §8.1), from the report. */
export function writeMetadataXml(r: ReportSpec, product = '(0x30): Windows 11 Pro', edition = 'Professional'): string {
  const [major = '10', minor = '0', build = '0'] = r.os.split('.');
  const el = (name: string, value: string | number) => `\t\t<${name}>${escapeXml(String(value))}</${name}>\r\n`;
  let x = '<?xml version="1.0" encoding="UTF-16"?>\r\n<WERReportMetadata>\r\n\t<OSVersionInformation>\r\n';
  x += el('WindowsNTVersion', `${major}.${minor}`) + el('Build', build) + el('Product', product) + el('Edition', edition);
  x += el('Architecture', 'X64') + el('LCID', r.lcid);
  x += '\t</OSVersionInformation>\r\n\t<ProblemSignatures>\r\n' + el('EventType', r.event.eventtype);
  const params: [string, string][] = r.params ?? r.secondary ?? [];
  params.forEach(([, value], i) => (x += el(`Parameter${i}`, value)));
  x += '\t</ProblemSignatures>\r\n\t<DynamicSignatures>\r\n' + el('Parameter1', r.os) + el('Parameter2', r.lcid);
  return x + '\t</DynamicSignatures>\r\n</WERReportMetadata>\r\n';
}
