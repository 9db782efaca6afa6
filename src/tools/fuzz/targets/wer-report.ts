// Fuzz target: the WER decoders on text — level 1 <WERREPORT> (report.ts), CAB metadata XML
// (metadata.ts), level 1 answers (level1-response.ts) — their formatters, and the folder names
// --save-dir derives from machine and application names (sinks/save-dir/folder-name.ts). Invariants:
// only XmlParseError escapes the XML decoders; formatted output is terminal-safe; folder name
// parts hold no separator, no `..`, no control or bidi character and stay short.
import { decodeText } from '../../../domain/body/charset.js';
import { parseWerReport } from '../../../domain/report/report.js';
import { isWerMetadata, parseWerMetadata } from '../../../domain/report/metadata.js';
import { explainLevel1Response, parseLevel1Response } from '../../../domain/server/level1-response.js';
import { XmlParseError } from '../../../domain/body/xml.js';
import { formatWerReport } from '../../../render/format-report.js';
import { formatLevel1Response } from '../../../render/format-body.js';
import { safeNamePart } from '../../../sinks/save-dir/folder-name.js';
import { createPaint } from '../../../render/paint.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateUtf16 } from '../mutate-formats.js';
import { checkLines, checkTerminalText, fail } from '../check.js';
import type { FuzzTarget } from '../target.js';

const paints = [createPaint(false), createPaint(true)] as const;
const UNSAFE_NAME = /[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\.\./;

function checkFolderPart(raw: string | undefined): void {
  const part = safeNamePart(raw);
  if (part === '' || UNSAFE_NAME.test(part) || part === '.' || /^[. ]|[. ]$/.test(part)) fail(`unsafe folder name part ${JSON.stringify(part)} from ${JSON.stringify(raw?.slice(0, 80))}`);
  if ([...part].length > 41) fail(`folder name part of ${[...part].length} characters`);
  checkTerminalText(part, false, 'folder name part');
}

function xmlOnly<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof XmlParseError) return undefined;
    throw e;
  }
}

export const werReportTarget: FuzzTarget = {
  name: 'wer-report',
  about: 'level 1 report, CAB metadata and level 1 answer decoders, their formatters, --save-dir folder names',
  seeds: (files) => files.map((f) => {
    const i = f.bytes.indexOf('\r\n\r\n');
    return i >= 0 ? f.bytes.subarray(i + 4) : f.bytes;
  }).filter((b) => /WERREPORT|WERReportMetadata|Bucket=/i.test(decodeText(b).text)),
  mutators: [...BYTE_MUTATORS, mutateUtf16, mutateUtf16, mutateUtf16, mutateUtf16],
  run(input) {
    const text = decodeText(input).text;
    const report = xmlOnly(() => parseWerReport(text));
    if (report) {
      for (const paint of paints) checkLines(formatWerReport(report, paint), paint.enabled, 'formatted WER report');
      checkFolderPart(report.machine?.name);
      checkFolderPart(report.application?.name);
      checkFolderPart(report.event?.eventType);
    }
    if (isWerMetadata(text)) xmlOnly(() => parseWerMetadata(text));
    const l1 = parseLevel1Response(text);
    for (const paint of paints) {
      checkLines(formatLevel1Response(l1, paint), paint.enabled, 'formatted level 1 answer');
    }
    for (const s of explainLevel1Response(l1)) if (typeof s !== 'string') fail('explanation is not text');
  },
};
