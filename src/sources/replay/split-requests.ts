// Cuts one connection's client→server bytes (a raw capture: what `nc -l`, `--raw` or `-o` saved,
// or a `.http` file) into the exact byte slices of its requests, using the same framer as
// `decode`. Responses in the stream (a `.http` file holding both) are skipped; an incomplete
// last request and bytes that are not HTTP are left out with a note, never sent half.
// Pure: a Buffer in, slices of it out.
import { createFramer } from '../../pipeline/http/framer.js';
import { escapeControl } from '../../util/escape.js';
import type { ReplayConnection } from './source.js';

export interface SplitResult {
  connection: ReplayConnection;
  notes: string[];
}

/** `explained`: the input already said why the bytes are short (a body a HAR does not hold),
 * so framing problems are not noted again; what is not sent still is. */
export function splitRequests(bytes: Buffer, name: string, maxHeaderBytes?: number, explained = false): SplitResult {
  const piece = framePiece(bytes, name, { ended: true, maxHeaderBytes, explained });
  const notes = piece.notes;
  if (piece.responses) notes.push(responsesNote(name, piece.responses));
  return { connection: { name, requests: piece.requests }, notes };
}

export interface FramedPiece {
  requests: Buffer[];
  /** Notes on what was left out, byte offsets counted from `base`. */
  notes: string[];
  /** Responses seen (and skipped). */
  responses: number;
  /** When the piece did not end the stream (`ended: false`): the message still open at its
   * end, from `start` (counted from `base`); `label` is `METHOD target` once its head was read. */
  pending?: { start: number; label?: string };
}

/** Frames `bytes` as one stretch of a client stream that begins at stream byte `base`. With
 * `ended: false` the stretch stops where bytes are missing rather than where the stream ended:
 * a message still open there is returned as `pending` instead of being noted as incomplete. */
export function framePiece(bytes: Buffer, name: string, opts: { base?: number; ended: boolean; maxHeaderBytes?: number; explained?: boolean }): FramedPiece {
  const base = opts.base ?? 0;
  const framer = createFramer({ mode: 'auto', source: 'client', maxHeaderBytes: opts.maxHeaderBytes });
  const requests: Buffer[] = [];
  const notes: string[] = [];
  let start = -1;
  let label: string | undefined;
  let isRequest = false;
  let responses = 0;
  let settled = 0; // bytes up to here are sent, skipped or noted
  const events = framer.push(bytes);
  if (opts.ended) for (const ev of framer.end()) events.push(ev);
  for (const ev of events) {
    if (ev.type === 'head') {
      start = ev.offset;
      isRequest = ev.head.kind === 'request';
      label = ev.head.kind === 'request' ? escapeControl(`${ev.head.method} ${ev.head.target}`).slice(0, 80) : undefined;
    } else if (ev.type === 'end') {
      if (!isRequest) responses++;
      else if (ev.complete) requests.push(bytes.subarray(start, ev.offset));
      else notes.push(`${name}: the request at byte ${base + start} is incomplete (${ev.offset - start} bytes); not sent`);
      start = -1;
      label = undefined;
      settled = ev.offset;
    } else if (ev.type === 'problem' && !opts.explained) {
      notes.push(`${name}: ${ev.problem.message} (byte ${base + ev.problem.offset})`);
    } else if (ev.type === 'raw') {
      notes.push(`${name}: ${ev.data.length} bytes at byte ${base + ev.offset} are not HTTP; not sent`);
      settled = ev.offset + ev.data.length;
    }
  }
  const pending = !opts.ended && settled < bytes.length ? { start: base + settled, label } : undefined;
  return { requests, notes, responses, pending };
}

export function responsesNote(name: string, responses: number): string {
  return `${name}: ${responses} response${responses === 1 ? '' : 's'} in the capture skipped (only requests are sent)`;
}
