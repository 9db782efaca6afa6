// The one place the inspector reads decodings and check findings from: every other file of
// src/web/ asks viewOf() and findingsOf(), never the decoder or the checker directly. While an
// event is delivered its messages carry their decoding (HttpMessage.decoded); a page asking
// later about an exchange in the history gets a decoding made for that answer and not kept, so
// 10,000 exchanges of history do not hold 10,000 decodings.
import type { Exchange } from '../model.js';
import { transientDecodingOf, type MessageDecoding } from '../domain/body/message.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import type { Finding } from '../model.js';

export interface ExchangeView {
  request?: MessageDecoding;
  response?: MessageDecoding;
}

/** The decoded request and response of an exchange. */
export function viewOf(ex: Exchange): ExchangeView {
  const req = ex.request;
  const res = ex.response;
  return {
    request: req ? transientDecodingOf(req) : undefined,
    response: res ? transientDecodingOf(res, req) : undefined,
  };
}

/** Just the request's decoding (rows and buckets need no more). */
export function requestViewOf(ex: Exchange): MessageDecoding | undefined {
  return ex.request ? transientDecodingOf(ex.request) : undefined;
}

/** A finding as the inspector shows it, with the stage it was found at. */
export interface StagedFinding extends Finding {
  stage: ReportFindings['stage'];
}

/** The findings an event carries (`event.findings`, or those at the end of the run), flattened per report key. */
export function findingsOf(found: readonly ReportFindings[]): { key: string; reportId?: string; findings: StagedFinding[] }[] {
  return found.map((r) => ({ key: r.key, reportId: r.reportId, findings: r.findings.map((f) => ({ ...f, stage: r.stage })) }));
}
