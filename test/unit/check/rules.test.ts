// One crafted bad report (or conversation) per rule: each produces its finding with the
// rule's severity and section, and every rule in the table is exercised here.
import { describe, expect, it } from 'vitest';
import { RULES, type RuleId } from '../../../src/analysis/check/rules.js';
import { EARLIEST_EVENT_MS } from '../../../src/analysis/check/check-values.js';
import { ELEMENTS } from '../../../src/analysis/check/schema.js';
import { encodeUtf16, toFiletime } from '../../../src/domain/report/report-writer.js';
import { checkBytes, NOW, post, report, response, rulesOf, xmlOf } from '../../helpers/crafted.js';
import { readVector } from '../../helpers/paths.js';

const utf16NoBom = (s: string): Buffer => Buffer.from(s, 'utf16le');
const swap16 = (b: Buffer): Buffer => Buffer.from(b).swap16();
const level2Answer = readVector('level1-response-level2.http');
const DUMP = /DumpFile=(.*)\r\n/.exec(level2Answer.toString('latin1'))![1]!;
const cab = readVector('sample-report.cab');
const put = (target: string, body: Buffer, length = body.length): Buffer =>
  Buffer.concat([Buffer.from(`PUT ${target} HTTP/1.1\r\nHost: cer-lab.example.test:1273\r\nContent-Length: ${length}\r\n\r\n`, 'latin1'), body]);

/** rule → the inputs (one buffer per connection) that must produce it. */
const CASES: Record<RuleId, () => Buffer[]> = {
  'not-a-report': () => [post(Buffer.alloc(0))],
  'xml-malformed': () => [report({}, (x) => x.replace('<USERINFO', '<USERINFO broken'))],
  'root-not-werreport': () => [report({}, (x) => x.replace('<WERREPORT', '<CRASHREPORT').replace('</WERREPORT>', '</CRASHREPORT>'))],
  'element-missing': () => [report({}, (x) => x.replace(/<USERINFO[^>]*\/>/, ''))],
  'element-duplicate': () => [report({}, (x) => x.replace(/(<MACHINEINFO[^>]*\/>)/, '$1$1'))],
  'attribute-missing': () => [report({}, (x) => x.replace(/ lcid="\d+"/, ''))],
  'attribute-empty': () => [report({}, (x) => x.replace('eventtype="APPCRASH"', 'eventtype=""'))],
  'string-empty': () => [report({ user: '' })],
  'name-case': () => [report({}, (x) => x.replace(/<USERINFO([^>]*)\/>/, '<UserInfo$1/>').replace('machinename=', 'machineName='))],
  'unknown-element': () => [report({}, (x) => x.replace('</WERREPORT>', '<BUILDINFO branch="main"/></WERREPORT>'))],
  'unknown-attribute': () => [report({}, (x) => x.replace('<MACHINEINFO', '<MACHINEINFO flavor="vanilla"'))],
  'reporttype-range': () => [report({}, (x) => x.replace('reporttype="2"', 'reporttype="7"'))],
  'eventtime-not-number': () => [report({}, (x) => x.replace(/eventtime="\d+"/, 'eventtime="yesterday"'))],
  'eventtime-zero': () => [report({}, (x) => x.replace(/eventtime="\d+"/, 'eventtime="0"'))],
  'eventtime-too-old': () => [report({}, (x) => x.replace(/eventtime="\d+"/, 'eventtime="1715678814"'))],
  'eventtime-future': () => [report({}, (x) => x.replace(/eventtime="\d+"/, `eventtime="${toFiletime(NOW + 3 * 86_400_000)}"`))],
  'parameter-id': () => [report({}, (x) => x.replace('id="7"', 'id="12"'))],
  'parameter-duplicate': () => [report({}, (x) => x.replace('id="1"', 'id="0"'))],
  'parameter-count': () => [report({ params: Array.from({ length: 11 }, (_, i) => [`P${i + 1}`, `v${i}`] as [string, string]) }, (x) => x.replace('id="10"', 'id="9"'))],
  'filetype-range': () => [report({ files: [['Version.txt', 9]] })],
  'string-too-long': () => [report({ app: { appname: 'W'.repeat(300), apppath: 'C:\\w.exe' } })],
  'os-format': () => [report({ os: 'Windows 10 Pro' })],
  'os-fields': () => [report({ os: '10.0.19045' })],
  'lcid-format': () => [report({}, (x) => x.replace('lcid="1033"', 'lcid="en-US"'))],
  'lcid-unknown': () => [report({ lcid: 32767 })],
  'signature-empty': () => [report({ params: [], secondary: [] })],
  'no-parameters': () => [report({ params: [], secondary: [['OS Version', '10.0.19045']] })],
  'parameter-no-value': () => [report({}, (x) => x.replace('value="render.dll"', 'value=""'))],
  'encoding-mismatch': () => [post(Buffer.from(xmlOf(), 'utf8'))],
  'bom-mismatch': () => [post(encodeUtf16(xmlOf({}, (x) => x.replace('encoding="UTF-16"', 'encoding="UTF-8"'))))],
  'not-utf16': () => [post(Buffer.from(xmlOf({}, (x) => x.replace('encoding="UTF-16"', 'encoding="UTF-8"')), 'utf8'))],
  'utf16-big-endian': () => [post(Buffer.concat([Buffer.from([0xfe, 0xff]), swap16(utf16NoBom(xmlOf()))]))],
  'utf16-odd-length': () => [post(Buffer.concat([encodeUtf16(xmlOf()), Buffer.from([0x20])]))],
  'content-length-mismatch': () => {
    const body = encodeUtf16(xmlOf());
    const raw = post(body).toString('latin1').replace(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 100}`);
    return [Buffer.from(raw, 'latin1')];
  },
  'wrong-path': () => [post(encodeUtf16(xmlOf()), '/report.aspx')],
  'wrong-method': () => [post(encodeUtf16(xmlOf()), '/stage2.htm', 'PATCH')],
  'answer-not-200': () => [Buffer.concat([report(), response('500 Internal Server Error', 'oops')])],
  'no-answer': () => [Buffer.concat([report(), response('200 OK', 'Bucket=1\r\nBucketTable=1\r\n'), report()])],
  'answer-not-captured': () => [report()],
  'answer-not-level1': () => [Buffer.concat([report(), response('200 OK', '<html><body>thanks</body></html>', 'Content-Type: text/html\r\n')])],
  'idata-without-dumpfile': () => [Buffer.concat([report(), response('200 OK', 'Bucket=1\r\niData=1\r\n')])],
  'dumpfile-without-idata': () => [Buffer.concat([report(), response('200 OK', 'Bucket=1\r\nDumpFile=\\PersistedCabs\\x.cab\r\n')])],
  'cab-not-uploaded': () => [Buffer.concat([report(), level2Answer])],
  'put-path-not-issued': () => [Buffer.concat([report(), level2Answer, put('/PersistedCabs/other.cab', cab)])],
  'put-unpaired': () => [put('/PersistedCabs/other.cab', cab)],
  'duplicate-upload': () => [Buffer.concat([report(), level2Answer, put(DUMP, cab), put(DUMP, cab)])],
  'put-incomplete': () => [Buffer.concat([report(), level2Answer, put(DUMP, cab, cab.length + 500)])],
  'put-not-accepted': () => [Buffer.concat([report(), level2Answer, put(DUMP, cab), response('507 Insufficient Storage')])],
  'put-not-cab': () => [Buffer.concat([report(), level2Answer, put(DUMP, Buffer.from('not a cabinet'))])],
  'files-not-in-cab': () => [Buffer.concat([report({ files: [['Version.txt', 5], ['memory.hdmp', 3]] }), level2Answer, put(DUMP, cab)])],
};

/** The structural rules cite their row of the rule table like every rule; the fix names the
 * section of the element at fault (check/schema.ts) — here the element each case touches. */
const ELEMENT_SECTION: Partial<Record<RuleId, string[]>> = {
  'element-missing': [ELEMENTS.USERINFO!.section],
  'element-duplicate': [ELEMENTS.WERREPORT!.section], // WERREPORT's section says how often each child may appear
  'attribute-missing': [ELEMENTS.MACHINEINFO!.section],
  'attribute-empty': [ELEMENTS.EVENTINFO!.section],
  'string-empty': [ELEMENTS.USERINFO!.section],
  'name-case': [ELEMENTS.USERINFO!.section, ELEMENTS.MACHINEINFO!.section], // <UserInfo> and machineName=
  'unknown-element': [ELEMENTS.WERREPORT!.section],
  'unknown-attribute': [ELEMENTS.MACHINEINFO!.section],
};

describe('every rule has a crafted case that produces it', () => {
  for (const [rule, make] of Object.entries(CASES) as [RuleId, () => Buffer[]][]) {
    it(rule, () => {
      const reports = checkBytes(...make());
      const found = reports.flatMap((r) => r.findings).filter((f) => f.rule === rule);
      expect(found.length, `findings: ${JSON.stringify(reports.map((r) => r.findings.map((f) => f.rule)))}`).toBeGreaterThan(0);
      expect(found[0]!.severity).toBe(RULES[rule].severity);
      // the section each finding cites is exactly the table's, for every one of them
      expect(found.map((f) => f.severity)).toEqual(found.map(() => RULES[rule].severity));
      expect(found.map((f) => f.section)).toEqual(found.map(() => RULES[rule].section));
      // a structural finding's fix names where its element is defined
      const elements = ELEMENT_SECTION[rule];
      if (elements) expect(found.map((f) => /\((§[\d.]+)\)/.exec(f.fix)?.[1] ?? /§[\d.]+/.exec(f.fix)?.[0]).sort()).toEqual([...elements].sort());
      expect(found[0]!.message).not.toMatch(/\n/);
      expect(found[0]!.fix).not.toMatch(/\n/);
    });
  }

  it('covers the whole rule table', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(RULES).sort());
  });
});

describe('rules at their boundaries', () => {
  it('a maxpathstring of 256 characters is fine, 257 is string-too-long; a string32 of 32 is fine, 33 is not', () => {
    const app = (n: number) => report({ app: { appname: 'W'.repeat(n), apppath: 'C:\\w.exe' } });
    const path = (n: number) => report({ app: { appname: 'W', apppath: 'C:\\' + 'p'.repeat(n - 3) } });
    expect(rulesOf(app(256))).not.toContain('string-too-long');
    expect(rulesOf(app(257))).toContain('string-too-long');
    expect(rulesOf(path(256))).not.toContain('string-too-long');
    expect(rulesOf(path(257))).toContain('string-too-long');
    const oem = (n: number) => report({}, (x) => x.replace('<MACHINEINFO', `<MACHINEINFO oem="${'O'.repeat(n)}"`));
    expect(rulesOf(oem(32))).not.toContain('string-too-long');
    expect(rulesOf(oem(33))).toContain('string-too-long');
    // characters, not bytes: 256 non-ASCII characters (512 UTF-16 bytes) are still fine
    expect(rulesOf(report({ app: { appname: 'Ü'.repeat(256), apppath: 'C:\\w.exe' } }))).not.toContain('string-too-long');
  });

  it('10 PARAMETERs (ids 0-9) are fine, an 11th is parameter-count', () => {
    const params = (n: number) => Array.from({ length: n }, (_, i) => [`P${i + 1}`, `v${i}`] as [string, string]);
    expect(rulesOf(report({ params: params(10) }))).not.toContain('parameter-count');
    expect(rulesOf(report({ params: params(10) }))).not.toContain('parameter-id');
    expect(rulesOf(report({ params: params(11) }, (x) => x.replace('id="10"', 'id="9"')))).toContain('parameter-count');
  });

  it('the earliest valid event time is 2006-01-01T00:00:00Z: that instant is fine, a millisecond before is too old', () => {
    const at = (ms: number) => report({}, (x) => x.replace(/eventtime="\d+"/, `eventtime="${toFiletime(ms)}"`));
    expect(EARLIEST_EVENT_MS).toBe(Date.parse('2006-01-01T00:00:00Z'));
    expect(toFiletime(EARLIEST_EVENT_MS)).toBe(127805472000000000n); // by hand: (1136073600 + 11644473600) × 10^7
    expect(rulesOf(at(EARLIEST_EVENT_MS))).not.toContain('eventtime-too-old');
    expect(rulesOf(at(EARLIEST_EVENT_MS - 1))).toContain('eventtime-too-old');
  });
});

describe('specific findings', () => {
  it('names an empty SIGNATURE as the reason the report cannot be bucketed, also as <SIGNATURE/> and without one', () => {
    const empty = report({ params: [], secondary: [] });
    const selfClosing = report({ params: [], secondary: [] }, (x) => x.replace('<SIGNATURE></SIGNATURE>', '<SIGNATURE/>'));
    const none = report({ params: [], secondary: [] }, (x) => x.replace('<SIGNATURE></SIGNATURE>', ''));
    for (const input of [empty, selfClosing, none]) {
      const [r] = checkBytes(input);
      const f = r!.findings.find((x) => x.rule === 'signature-empty')!;
      expect(f.severity).toBe('error');
      expect(f.message).toMatch(/cannot be bucketed/);
      expect(r!.findings.filter((x) => x.severity === 'error')).toHaveLength(1);
    }
  });

  it('shows the decoded event time when it is before 2006 or in the future', () => {
    const old = checkBytes(report({}, (x) => x.replace(/eventtime="\d+"/, 'eventtime="1715678814"')))[0]!.findings;
    expect(old.find((f) => f.rule === 'eventtime-too-old')!.message).toMatch(/1601-01-01T00:02:51\.567Z.*Unix time/);
    const future = checkBytes(report({}, (x) => x.replace(/eventtime="\d+"/, `eventtime="${toFiletime(NOW + 3 * 86_400_000)}"`)))[0]!.findings;
    expect(future.find((f) => f.rule === 'eventtime-future')!.message).toContain(new Date(NOW + 3 * 86_400_000).toISOString());
    // up to a day ahead is clock skew, not a finding
    expect(rulesOf(report({}, (x) => x.replace(/eventtime="\d+"/, `eventtime="${toFiletime(NOW + 23 * 3_600_000)}"`)))).not.toContain('eventtime-future');
  });

  it('flags the declaration/BOM contradiction once, not also as an encoding mismatch', () => {
    const rules = rulesOf(post(encodeUtf16(xmlOf({}, (x) => x.replace('encoding="UTF-16"', 'encoding="UTF-8"')))));
    expect(rules).toContain('bom-mismatch');
    expect(rules).not.toContain('encoding-mismatch');
  });

  it('says the reverse mismatch too: declared UTF-8, body UTF-16 without BOM', () => {
    const rules = rulesOf(post(utf16NoBom(xmlOf({}, (x) => x.replace('encoding="UTF-16"', 'encoding="UTF-8"')))));
    expect(rules).toContain('encoding-mismatch');
  });

  it('an empty PARAMETER value is one bucketing warning, not also an empty-string one', () => {
    const rules = rulesOf(report({}, (x) => x.replace('value="render.dll"', 'value=""')));
    expect(rules.filter((r) => r !== 'answer-not-captured')).toEqual(['parameter-no-value']);
  });

  it('names spelled in another case are warned about once each, and still read', () => {
    const [r] = checkBytes(report({}, (x) => x.replace(/<USERINFO([^>]*)\/>/, '<UserInfo$1/>').replace('machinename=', 'machineName=')));
    const cases = r!.findings.filter((f) => f.rule === 'name-case').map((f) => f.message);
    expect(cases).toEqual([
      'WERREPORT/MACHINEINFO attribute machineName is spelled machinename in the schema',
      'element WERREPORT/UserInfo is spelled USERINFO in the schema',
    ]);
    expect(r!.findings.map((f) => f.rule)).not.toContain('element-missing');
    expect(r!.findings.map((f) => f.rule)).not.toContain('attribute-missing');
  });

  it('a Content-Length shorter than the report is named, not reported as malformed XML', () => {
    const body = encodeUtf16(xmlOf());
    const raw = Buffer.from(post(body).toString('latin1').replace(`Content-Length: ${body.length}`, `Content-Length: ${body.length - 40}`), 'latin1');
    const rules = rulesOf(raw);
    expect(rules).toContain('content-length-mismatch');
    expect(rules).not.toContain('xml-malformed');
  });

  it('a report POSTed under a prefix (CorporateWERDirectory: /cer/stage2.htm) is a report, not a wrong path', () => {
    const reports = checkBytes(post(encodeUtf16(xmlOf()), '/cer/stage2.htm'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.findings.map((f) => f.rule)).not.toContain('wrong-path');
  });

  it('a clean conversation (report, CAB asked, PUT to the DumpFile, 200) has no findings', () => {
    const conv = Buffer.concat([readVector('level1-appcrash.http'), level2Answer, readVector('level2-put.http'), readVector('level2-response-ok.http')]);
    expect(checkBytes(conv).flatMap((r) => r.findings)).toEqual([]);
  });

  it('pairs a PUT on another connection with the report whose answer issued its path', () => {
    const reports = checkBytes(Buffer.concat([report(), level2Answer]), put(DUMP, cab));
    expect(reports.flatMap((r) => r.findings.map((f) => f.rule))).toEqual([]);
  });
});

describe('real-Windows quirks are not errors', () => {
  it('any element order, 8-field os, 5-digit LCID, loose Key = value answers, BlueScreen without PARAMETER', () => {
    const reordered = report({ lcid: 11274 }, (x) => {
      const sig = /<SIGNATURE>.*<\/SIGNATURE>/.exec(x)![0];
      const user = /<USERINFO[^>]*\/>/.exec(x)![0];
      return x.replace(sig, '').replace(user, '').replace('<MACHINEINFO', `${user}${sig}<MACHINEINFO`);
    });
    const loose = Buffer.concat([reordered, readVector('level1-response-loose.http')]);
    const blue = readVector('level1-bluescreen.http');
    const findings = checkBytes(loose, blue).flatMap((r) => r.findings);
    expect(findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });
});
