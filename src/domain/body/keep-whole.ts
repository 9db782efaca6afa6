// Whether a request body too long to keep whole for free (over 1 MiB) must still be kept whole
// in memory (up to --max-body-bytes) for what reads it, or only its first bytes: judged from
// those first bytes (the ones kept), conservatively. Only a body that decodes as binary goes:
// nothing reads such a body beyond its beginning (the hexdumps show 64 KiB at most; --json and
// HAR name a binary body over 1 MiB by its length and sha256, which are taken as it arrives).
// Kept whole whatever they decode as: a level-1 report (its answer, folder and checks need all
// of it), a CAB (listed and extracted from memory when not spooled) and UTF-16 in any form (a
// report with a stray NUL inside a tag decodes as binary, yet is shown and checked as text).
import type { RequestHead } from '../../model.js';
import { detectCharset, isUtf16Charset } from './charset.js';
import { bodyContext, keptPart } from './message.js';
import { decodeBody, headerValue } from './views.js';
import { isCab } from '../cab/cab-view.js';
import { isLevel1Request } from '../server/cer-server.js';

/** `first`: the body's first bytes, as many as a body kept in part keeps. */
export function keepsWholeBody(head: RequestHead, first: Buffer): boolean {
  if (isLevel1Request(head) || isCab(first)) return true;
  const bytes = keptPart(first);
  if (isUtf16Charset(detectCharset(bytes, headerValue(head.headers, 'content-type')).charset)) return true;
  // The very decoding the part kept gets later (decodeMessageBody): it shows as binary.
  return decodeBody(bytes, bodyContext(head)).kind !== 'binary';
}
