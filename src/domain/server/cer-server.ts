// What a corporate error-reporting server answers (MS-CER2 §3.2.5): level-1 POSTs get a
// Key=value body asking (or not) for the CAB, the PUT of that CAB gets a 200, and
// `Expect: 100-continue` gets its interim answer. It builds bytes: the pipeline returns them as
// commands (pipeline/commands.ts, whose Responder this is) and the listener sends them.
// Which report a PUT belongs to is the pipeline's conversation tracker's to say
// (pipeline/conversation.ts): it has linked the PUT before this server sees its head.
import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import type { Exchange, Problem, Request, RequestHead } from '../../model.js';
import type { WerReport } from '../report/report.js';
import { hasToken } from '../../pipeline/http/head.js';
import { decodedOf } from '../body/message.js';
import { buildLevel1Answer, type AnswerOptions, type Level1Answer } from './level1-answer.js';

export type RespondMode = 'none' | 'ok' | 'cer';

export interface CerServerOptions {
  mode: RespondMode;
  answer: AnswerOptions;
  /** `--response-file`: this body, verbatim, answers every level-1 report. */
  responseBody?: Buffer;
  newGuid?: () => string;
}

export interface Reply {
  bytes: Buffer;
  /** Close the connection after sending (the client asked for it). */
  close: boolean;
}

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** A level-1 report: a POST to `/stage2.htm`, also under a prefix (`/cer/stage2.htm`), which a
 * `CorporateWERDirectory` setting may add (docs/protocol.md §10a). */
export function isLevel1Request(head: RequestHead): boolean {
  return head.method === 'POST' && /^(?:[^?]*[\\/])?stage2\.htm(\?|$)/i.test(head.target.replace(/^[a-z]+:\/\/[^/]*/i, ''));
}

export class CerServer {
  private readonly newGuid: () => string;

  constructor(private readonly opts: CerServerOptions) {
    this.newGuid = opts.newGuid ?? randomUUID;
  }

  /** Called when a request head is complete (after the conversation tracker linked it).
   * Returns an interim reply and any problem. */
  onRequestHead(ex: Exchange, head: RequestHead): { reply?: Buffer; problem?: Omit<Problem, 'offset'> } {
    let problem: Omit<Problem, 'offset'> | undefined;
    if (head.method === 'PUT' && this.opts.mode === 'cer') {
      const issued = ex.wer?.role === 'upload' && ex.wer.by === 'dump-file';
      if (!issued) {
        problem = { code: 'unknown-dump-path', source: 'client', message: `PUT to ${head.target.slice(0, 120)}, a path this server never issued as DumpFile — captured and answered anyway` };
      }
    }
    // RFC 9110 §15.2: never a 1xx to an HTTP/1.0 client.
    const wantsContinue = hasToken(head.headers, 'expect', '100-continue') && head.version !== 'HTTP/1.0';
    return { reply: wantsContinue && this.opts.mode !== 'none' ? CONTINUE : undefined, problem };
  }

  /** The final answer to a completed request, or undefined (mode none). */
  onRequest(ex: Exchange): Reply | undefined {
    const req = ex.request;
    // A request cut short (the client went away mid-body) gets no answer: there is nobody to
    // read it, and a DumpFile must not be issued for half a report.
    if (!req || this.opts.mode === 'none' || !req.body.complete) return undefined;
    const close = wantsClose(req.head);
    if (this.opts.mode === 'cer' && isLevel1Request(req.head)) {
      let body: Buffer;
      if (this.opts.responseBody) body = this.opts.responseBody;
      else {
        const answer = this.level1Answer(req);
        // MS-CER2 §2.2.2: code page 1252 (latin1 would turn e.g. `€` into `¬`; iconv-lite
        // writes `?` for what 1252 cannot say instead of a byte that means something else).
        body = iconv.encode(answer.body, 'windows-1252');
      }
      return { bytes: response(200, 'OK', body, 'text/plain; charset=windows-1252', close, req.head.version), close };
    }
    return { bytes: response(200, 'OK', Buffer.alloc(0), undefined, close, req.head.version), close };
  }

  /** The level-1 answer for `req`'s report. Decoding it must never cost the client its answer:
   * if that fails (a bug; hostile reports are decoded, not rejected), the answer is built as
   * for a report without a signature, and still asks for the CAB unless --no-cab. */
  private level1Answer(req: Request): Level1Answer {
    let report: WerReport | undefined;
    try {
      report = decodedOf(req).report;
    } catch {
      report = undefined;
    }
    return buildLevel1Answer(report, this.opts.answer, this.newGuid());
  }
}

function wantsClose(head: RequestHead): boolean {
  if (hasToken(head.headers, 'connection', 'close')) return true;
  return head.version === 'HTTP/1.0' && !hasToken(head.headers, 'connection', 'keep-alive');
}

function response(status: number, reason: string, body: Buffer, type: string | undefined, close: boolean, requestVersion: string): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  if (type) lines.push(`Content-Type: ${type}`);
  lines.push(`Content-Length: ${body.length}`);
  if (close) lines.push('Connection: close');
  // An HTTP/1.0 client that asked for keep-alive closes unless the answer says yes
  // (RFC 9112 Appendix C.2.2).
  else if (requestVersion === 'HTTP/1.0') lines.push('Connection: keep-alive');
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

