// The one place the inspector reads decodings and check findings from: every other file of
// src/web/ asks viewOf() and findingsOf(), never decodeMessage or the checker directly. When the
// event model carries the decoded view and the findings itself, only this file changes.
import type { Exchange } from '../model.js';
import { decodeMessage, type MessageDecoding } from '../domain/body/message.js';
import type { ReportFindings } from '../analysis/check/conversation.js';
import type { Finding } from '../analysis/check/rules.js';

export interface ExchangeView {
  request?: MessageDecoding;
  response?: MessageDecoding;
}

/** The decoded request and response of an exchange (shared cache: decoded once per event). */
export function viewOf(ex: Exchange): ExchangeView {
  const req = ex.request;
  const res = ex.response;
  return {
    request: req ? decodeMessage(req) : undefined,
    response: res ? decodeMessage(res, req) : undefined,
  };
}

/** Just the request's decoding (rows and buckets need no more). */
export function requestViewOf(ex: Exchange): MessageDecoding | undefined {
  return ex.request ? decodeMessage(ex.request) : undefined;
}

/** A finding as the inspector shows it, with the stage it was found at. */
export interface StagedFinding extends Finding {
  stage: ReportFindings['stage'];
}

/** The findings CheckedSink hands over with an event (or at the end), flattened per report key. */
export function findingsOf(found: readonly ReportFindings[]): { key: string; reportId?: string; findings: StagedFinding[] }[] {
  return found.map((r) => ({ key: r.key, reportId: r.reportId, findings: r.findings.map((f) => ({ ...f, stage: r.stage })) }));
}
