// How much of a request body too long to keep whole for free (over 1 MiB) is kept in memory:
// all of it (up to --max-body-bytes) for what reads it all, or only the first bytes that anything
// reads. Judged from its first bytes, conservatively.
// - Kept whole: a level-1 report (its answer, folder and checks need all of it) and a CAB
//   (listed and extracted from memory when not spooled).
// - Binary (as the part decodes, the very decoding it gets later): its first PART_KEPT_BYTES,
//   for the hexdumps; --json and HAR name a binary body over 1 MiB by its length and sha256,
//   which are taken as it arrives.
// - Anything else (text, XML, UTF-16 in any form): its first VIEW_DECODE_BYTES, all that is ever
//   decoded, shown, searched or checked of a body that long (views.ts), and that part decodes
//   exactly as the whole body would (decodeBody with its length). A body over 1 MiB that is not
//   a POST to stage2.htm is never read as a report, so UTF-16 goes too, even one the decoder
//   calls binary (a report with a stray NUL inside a tag): its view is told by that first part.
import type { RequestHead } from '../../model.js';
import { PART_KEPT_BYTES, type BodyKeep } from '../../pipeline/http/body-assembler.js';
import { bodyContext } from './message.js';
import { decodeBody, headerValue, VIEW_DECODE_BYTES } from './views.js';
import { isCab } from '../cab/cab-view.js';
import { isLevel1Request } from '../server/cer-server.js';
import { detectCharset, isUtf16Charset, withoutCutCharacter } from './charset.js';

/** `first`: the body's first PART_KEPT_BYTES. */
export function requestBodyKeep(head: RequestHead, first: Buffer): BodyKeep {
  if (isLevel1Request(head) || isCab(first)) return 'whole';
  const bytes = withoutCutCharacter(first); // judged as a whole body would be: no character cut
  if (isUtf16Charset(detectCharset(bytes, headerValue(head.headers, 'content-type')).charset)) return VIEW_DECODE_BYTES;
  return decodeBody(bytes, bodyContext(head)).kind === 'binary' ? PART_KEPT_BYTES : VIEW_DECODE_BYTES;
}
