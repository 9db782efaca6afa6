// Cuts one connection's client→server bytes (a raw capture: what `nc -l`, `--raw` or `-o` saved,
// or a `.http` file) into the exact byte slices of its requests, using the same framer as
// `decode`. Responses in the stream (a `.http` file holding both) are skipped; an incomplete
// last request and bytes that are not HTTP are left out with a note, never sent half.
// Pure: a Buffer in, slices of it out.
import { createFramer } from '../../pipeline/http/framer.js';
import type { ReplayConnection } from './source.js';

export interface SplitResult {
  connection: ReplayConnection;
  notes: string[];
}

/** `explained`: the input already said why the bytes are short (a TCP gap, a body a HAR does
 * not hold), so framing problems are not noted again; what is not sent still is. */
export function splitRequests(bytes: Buffer, name: string, maxHeaderBytes?: number, explained = false): SplitResult {
  const framer = createFramer({ mode: 'auto', source: 'client', maxHeaderBytes });
  const requests: Buffer[] = [];
  const notes: string[] = [];
  let start = -1;
  let isRequest = false;
  let responses = 0;
  const events = [...framer.push(bytes), ...framer.end()];
  for (const ev of events) {
    if (ev.type === 'head') {
      start = ev.offset;
      isRequest = ev.head.kind === 'request';
    } else if (ev.type === 'end') {
      if (!isRequest) responses++;
      else if (ev.complete) requests.push(bytes.subarray(start, ev.offset));
      else notes.push(`${name}: the request at byte ${start} is incomplete (${ev.offset - start} bytes); not sent`);
      start = -1;
    } else if (ev.type === 'problem' && !explained) {
      notes.push(`${name}: ${ev.problem.message} (byte ${ev.problem.offset})`);
    } else if (ev.type === 'raw') {
      notes.push(`${name}: ${ev.data.length} bytes at byte ${ev.offset} are not HTTP; not sent`);
    }
  }
  if (responses) notes.push(`${name}: ${responses} response${responses === 1 ? '' : 's'} in the capture skipped (only requests are sent)`);
  return { connection: { name, requests }, notes };
}
