// A captured client stream with holes in it (bytes the capture lost: pcap reassembly's
// `tcp-gap`) cut into the requests that can still be sent whole. A request a hole falls in is
// never sent — its bytes on either side of the hole do not make it — and after the hole
// sending picks up at the next line that is a request line. Each hole gets one note saying
// where it is and what was left out because of it. Pure: a Buffer in, slices of it out.
import { append } from '../../util/append.js';
import { framePiece, responsesNote, type FramedPiece, type SplitResult } from './split-requests.js';

export interface StreamGap {
  /** Offset in `bytes` (what was captured, holes closed up) where the missing bytes belong. */
  offset: number;
  /** The hole in words, e.g. `1000 bytes missing from the capture at TCP stream offset 1000`. */
  what: string;
}

/** Longest request line looked for after a hole. */
const MAX_REQUEST_LINE = 8192;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT'];
const VERSION_EOL = /^ HTTP\/\d\.\d\r?\n/;

export function splitAroundGaps(bytes: Buffer, gaps: StreamGap[], name: string, maxHeaderBytes?: number): SplitResult {
  const cuts = gaps.filter((g) => g.offset >= 0 && g.offset <= bytes.length).sort((a, b) => a.offset - b.offset);
  const requests: Buffer[] = [];
  const notes: string[] = [];
  let responses = 0;
  let before: FramedPiece['pending'];
  for (let i = 0; i <= cuts.length; i++) {
    const lo = i === 0 ? 0 : cuts[i - 1]!.offset;
    const hi = i === cuts.length ? bytes.length : cuts[i]!.offset;
    let from = lo;
    if (i > 0) {
      const next = nextRequestLine(bytes, lo, hi);
      from = next < 0 ? hi : next;
      notes.push(gapNote(name, cuts[i - 1]!, before, from - lo, next >= 0, hi > lo));
    }
    const piece = framePiece(bytes.subarray(from, hi), name, { base: from, ended: i === cuts.length, maxHeaderBytes });
    append(requests, piece.requests);
    append(notes, piece.notes);
    responses += piece.responses;
    before = piece.pending;
  }
  if (responses) notes.push(responsesNote(name, responses));
  return { connection: { name, requests }, notes };
}

/** One line per hole: where, and what is not sent because of it. */
function gapNote(name: string, gap: StreamGap, cut: FramedPiece['pending'], skipped: number, resumes: boolean, more: boolean): string {
  const left: string[] = [];
  if (cut) left.push(`the request it cuts (${cut.label ?? 'its head is cut'})`);
  if (skipped) left.push(`the ${skipped} byte${skipped === 1 ? '' : 's'} after it${resumes ? ', up to the next request line' : ' (no request line follows)'}`);
  if (!left.length) {
    return more
      ? `${name}: ${gap.what} — it cuts no request: nothing is left out (but a request wholly inside it)`
      : `${name}: ${gap.what} — it comes after the last complete request: nothing is cut`;
  }
  return `${name}: ${gap.what} — not sent: ${left.join(' and ')}${resumes ? '; replay goes on from the next request' : ''}`;
}

/** The first offset in [lo, hi) where a whole request line starts (`METHOD target HTTP/x.y`
 * and a line end, with a method of RFC 9110 §9), or -1. The line need not follow a line end:
 * a request usually starts right after the last byte of the body before it. Linear: the look
 * back from each ` HTTP/` stops at the space before it, which the previous hit holds. */
export function nextRequestLine(bytes: Buffer, lo: number, hi: number): number {
  const view = bytes.subarray(0, hi);
  for (let h = view.indexOf(' HTTP/', lo); h >= 0; h = view.indexOf(' HTTP/', h + 1)) {
    const sp = view.subarray(lo, h).lastIndexOf(0x20) + lo; // the space before the target
    if (sp < lo || h - sp > MAX_REQUEST_LINE || !VERSION_EOL.test(view.toString('latin1', h, h + 12))) continue;
    const target = view.toString('latin1', sp + 1, h);
    if (!target || /[\x00-\x20\x7f]/.test(target)) continue;
    for (const m of METHODS) {
      const start = sp - m.length;
      if (start >= lo && view.toString('latin1', start, sp) === m) return start;
    }
  }
  return -1;
}
