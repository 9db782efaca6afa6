// Report.wer summaries: a hand-written file in Windows' shape (UTF-16LE with BOM, CRLF), its
// FILETIME checked by hand (2020-01-01T00:00:00Z = (1577836800 + 11644473600) × 10^7 ticks),
// through the CAB view and its text; hostile values stay escaped, huge files stay bounded.
import { describe, expect, it } from 'vitest';
import { parseReportWer, looksLikeReportWer } from '../../../src/domain/report/report-wer.js';
import { summariseFile } from '../../../src/domain/cab/cab-view.js';
import { formatCabView } from '../../../src/render/format-cab-view.js';
import { plainPaint } from '../../../src/render/paint.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { parseCabView } from '../../../src/domain/cab/cab-view.js';

const utf16 = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const REPORT = [
  'Version=1', 'EventType=APPCRASH', 'EventTime=132223104000000000', 'ReportType=2', 'Consent=1',
  'Sig[0].Name=Application Name', 'Sig[0].Value=widget.exe',
  'Sig[1].Name=Application Version', 'Sig[1].Value=2.1.0.0',
  'Sig[6].Name=Exception Code', 'Sig[6].Value=c0000005',
  'DynamicSig[1].Name=OS Version', 'DynamicSig[1].Value=10.0.19045.2.0.0.256.48',
  'FriendlyEventName=Stopped working', 'AppName=Widget', 'AppPath=C:\\Program Files\\Widget\\widget.exe',
].join('\r\n') + '\r\n';

describe('Report.wer', () => {
  it('event, time, app and the Sig/DynamicSig pairs joined by index', () => {
    const r = parseReportWer(utf16(REPORT).toString('utf16le'));
    expect(r.eventType).toBe('APPCRASH');
    expect(r.eventTime).toBe('2020-01-01T00:00:00.000Z');
    expect(r.friendlyName).toBe('Stopped working');
    expect(r.appName).toBe('Widget');
    expect(r.appPath).toBe('C:\\Program Files\\Widget\\widget.exe');
    expect(r.signature).toEqual([
      { name: 'Application Name', value: 'widget.exe' },
      { name: 'Application Version', value: '2.1.0.0' },
      { name: 'Exception Code', value: 'c0000005' },
    ]);
    expect(r.dynamic).toEqual([{ name: 'OS Version', value: '10.0.19045.2.0.0.256.48' }]);
    expect(r.keys).toBe(16);
  });

  it('is found by name or by its first keys, not in other text', () => {
    expect(looksLikeReportWer('WER1234.tmp.Report.wer', 'x')).toBe(true);
    expect(looksLikeReportWer('anything.txt', 'Version=1\r\nEventType=APPCRASH\r\n')).toBe(true);
    expect(looksLikeReportWer('notes.txt', 'Version 1 of the notes\nEventType=x')).toBe(false);
  });

  it('inside a CAB: summarised in the view, values escaped, the preview kept', () => {
    const hostile = REPORT.replace('widget.exe\r\n', 'widget\u001b[31m.exe\r\n');
    const cab = writeCab([{ name: 'Report.wer', data: utf16(hostile) }], { compression: 'mszip' });
    const view = parseCabView(cab);
    const entry = view.entries[0]!;
    expect(entry.kind).toBe('text');
    expect(entry.reportWer?.eventType).toBe('APPCRASH');
    const text = formatCabView(view, plainPaint).join('\n');
    expect(text).toContain('Report.wer · APPCRASH · Stopped working · 2020-01-01T00:00:00.000Z');
    expect(text).toContain('Exception Code  c0000005');
    expect(text).toContain('widget\\x1b[31m.exe');
    expect(text).not.toContain('\u001b');
  });

  it('a file of 200,000 signature lines keeps 64 pairs and reads at most 10,000 lines', () => {
    const lines = ['Version=1', 'EventType=X'];
    for (let i = 0; i < 100_000; i++) lines.push(`Sig[${i % 9999}].Name=n${i}`, `Sig[${i % 9999}].Value=v${i}`);
    const r = summariseFile('Report.wer', utf16(lines.join('\r\n'))).reportWer!;
    expect(r.signature.length).toBe(64);
    expect(r.keys).toBe(10_000);
  });

  it('other text files get no Report.wer summary', () => {
    expect(summariseFile('Version.txt', utf16('Windows 11 Pro\r\n')).reportWer).toBeUndefined();
  });
});
