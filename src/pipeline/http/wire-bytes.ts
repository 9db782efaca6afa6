// The exact bytes a message was sent as, from the model: the Recorder keeps them on a chunked
// message (`wire`); any other message framed by length (or by close) was sent as its head
// followed by its body, both kept byte for byte.
import type { HttpMessage } from '../../model.js';

/** The message's wire bytes, or undefined when they were not kept (a body over the in-memory
 * limit, or a chunked one too large for the Recorder's window). */
export function wireBytes(msg: HttpMessage): Buffer | undefined {
  if (msg.wire) return msg.wire;
  if (msg.body.framing === 'chunked') return undefined;
  if (msg.body.length > 0 && !msg.body.data) return undefined;
  return msg.body.length ? Buffer.concat([msg.head.raw, msg.body.data!]) : msg.head.raw;
}
