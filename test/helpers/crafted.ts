// Crafted level-1 reports for the check tests: a valid APPCRASH built with the real writer
// (src/domain/report/report-writer.ts), then small string edits, encoded as Windows does (UTF-16LE +
// BOM) or deliberately otherwise, and framed as POST /stage2.htm. Also runs bytes through the
// same Recorder + checker as `wer-sniff check`, with a fixed clock.
import { Recorder } from '../../src/pipeline/recorder.js';
import { CheckCollector, type CheckedReport } from '../../src/analysis/check/collector.js';
import { encodeUtf16, toFiletime, writeLevel1Request, writeReportXml, type ReportSpec } from '../../src/domain/report/report-writer.js';
import { T0 } from './factories.js';

export const NOW = T0;
const HOST = 'cer-lab.example.test:1273';

export function baseSpec(over: Partial<ReportSpec> = {}): ReportSpec {
  return {
    machine: 'WKS-0042.lab.example.test', os: '10.0.19045.2.0.0.256.48', lcid: 1033, user: 'LAB\\jdoe',
    app: { appname: 'Widget Studio', apppath: 'C:\\Program Files\\Widget\\widget.exe', appcompany: 'Example Widgets Ltd' },
    event: { reporttype: 2, eventtype: 'APPCRASH', friendlyeventname: 'Stopped working', eventtime: toFiletime(NOW - 3_600_000) },
    params: [
      ['Application Name', 'widget.exe'], ['Application Version', '3.2.1.0'], ['Application Timestamp', '65f1a2b3'],
      ['Fault Module Name', 'render.dll'], ['Fault Module Version', '3.2.1.0'], ['Fault Module Timestamp', '65f1a2a0'],
      ['Exception Code', 'c0000005'], ['Exception Offset', '000000000001a2f4'],
    ],
    files: [['Version.txt', 5]],
    ...over,
  };
}

export function xmlOf(over: Partial<ReportSpec> = {}, edit: (xml: string) => string = (x) => x): string {
  return edit(writeReportXml(baseSpec(over)));
}

/** POST /stage2.htm with `body` and a correct Content-Length. */
export function post(body: Buffer, target = '/stage2.htm', method = 'POST'): Buffer {
  const req = writeLevel1Request(HOST, body);
  return method === 'POST' && target === '/stage2.htm' ? req : Buffer.concat([Buffer.from(`${method} ${target}`, 'latin1'), req.subarray('POST /stage2.htm'.length)]);
}

/** The usual: UTF-16LE with BOM in a POST /stage2.htm. */
export function report(over: Partial<ReportSpec> = {}, edit?: (xml: string) => string): Buffer {
  return post(encodeUtf16(xmlOf(over, edit)));
}

export function response(status: string, body = '', headers = 'Content-Type: text/plain\r\n'): Buffer {
  return Buffer.from(`HTTP/1.1 ${status}\r\n${headers}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`, 'latin1');
}

/** Each buffer is one input (connection), checked like `wer-sniff check` does. */
export function checkBytes(...inputs: Buffer[]): CheckedReport[] {
  const collector = new CheckCollector(() => NOW);
  const recorder = new Recorder({ sinks: [collector], now: () => NOW });
  inputs.forEach((bytes, i) => {
    const rec = recorder.open({ id: i + 1, peer: `input${i + 1}`, local: 'file', openedAt: NOW, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
    rec.push('client', bytes, NOW);
    rec.close(undefined, NOW);
  });
  return collector.finish();
}

/** Rule ids found in the inputs. */
export function rulesOf(...inputs: Buffer[]): string[] {
  return checkBytes(...inputs).flatMap((r) => r.findings.map((f) => f.rule));
}

/** The red team's huge level-1 reports (~9-13 MB of UTF-16LE): `n` PARAMETERs in SIGNATURE,
 * or `n` attributes the schema does not know on MACHINEINFO. Each makes one finding per
 * parameter or attribute, which once overflowed the call stack in the level-1 check. */
export function hugeReport(kind: 'parameters' | 'attributes', n: number): Buffer {
  if (kind === 'parameters') return report({ params: Array.from({ length: n }, (_, i): [string, string] => [`P${i}`, 'v']) });
  const attrs: string[] = [];
  for (let i = 0; i < n; i++) attrs.push(` x${i}="y"`);
  return report({}, (xml) => xml.replace('<MACHINEINFO', '<MACHINEINFO' + attrs.join('')));
}
