// Reads `replay` captures into a ReplaySource. The format is told by the content, not the name:
// a HAR (JSON with log.entries) or raw client bytes as `decode` reads them (one file = one
// connection; `-` is stdin), or a pcap/pcapng capture (by its magic number), whose TCP
// connections to or from the chosen port each give their reassembled client→server bytes. Each
// capture is read whole into memory: requests are sent as slices of it.
import fs from 'node:fs';
import { WerSniffError, inWords } from '../../errors.js';
import type { ReplaySource } from '../replay/source.js';
import { splitRequests } from '../replay/split-requests.js';
import { splitAroundGaps, type StreamGap } from '../replay/split-gaps.js';
import { harRequests, HarInputError } from '../replay/har-requests.js';
import { parseCapture, WER_PORT, type TcpFilter } from '../pcap/capture.js';
import { captureConnectionBytes, describeNoMatch } from './pcap-input.js';
import { append } from '../../util/append.js';

export function readReplaySource(files: string[], maxHeaderBytes?: number, filter: TcpFilter = { port: WER_PORT }): ReplaySource {
  const out: ReplaySource = { connections: [], notes: [] };
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
    } catch (err) {
      throw new WerSniffError('input-missing', `cannot read ${file}: ${inWords(err)} — check the path`);
    }
    const source = fromPcap(bytes, file, filter, maxHeaderBytes)
      ?? (looksLikeJson(bytes) ? fromHar(bytes, file) : fromRaw(bytes, file, maxHeaderBytes));
    append(out.connections, source.connections);
    append(out.notes, source.notes);
  }
  return out;
}

function looksLikeJson(bytes: Buffer): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]!))) i++;
  return bytes[i] === 0x7b; // '{'
}

function fromHar(bytes: Buffer, file: string): ReplaySource {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new WerSniffError('bad-har', `${file} starts like JSON but does not parse (${(err as Error).message}) — give a HAR file or raw capture`);
  }
  try {
    return harRequests(doc, file);
  } catch (err) {
    if (err instanceof HarInputError) throw new WerSniffError('bad-har', `${err.message} — give a HAR file or raw capture`);
    throw err;
  }
}

function fromRaw(bytes: Buffer, file: string, maxHeaderBytes?: number): ReplaySource {
  const { connection, notes } = splitRequests(bytes, file, maxHeaderBytes);
  return { connections: [connection], notes };
}

/** A pcap/pcapng capture: one replay connection per TCP connection that carried client bytes.
 * Bytes lost in the capture (a gap in the client's stream) are not made up, and the request
 * a gap falls in is not sent: one note per gap says what was left out (split-gaps.ts).
 * Undefined when the bytes are not a capture. */
function fromPcap(bytes: Buffer, file: string, filter: TcpFilter, maxHeaderBytes?: number): ReplaySource | undefined {
  const cap = parseCapture(bytes, filter);
  if (!cap) return undefined;
  const out: ReplaySource = { connections: [], notes: [] };
  if (!cap.connections.length) {
    out.notes.push(describeNoMatch(file, cap, filter) ?? `${file}: no TCP connection in the capture`);
    return out;
  }
  for (const c of captureConnectionBytes(cap)) {
    if (!c.client.length) continue;
    const name = `${file} ${c.connection.client} → ${c.connection.server}`;
    const gaps: StreamGap[] = [];
    for (const p of c.problems) {
      // The gap's own message ends by saying the bytes after it follow directly: true of what
      // decode shows, not of what replay sends, so the gap note says that part itself.
      if (p.code === 'tcp-gap' && p.source === 'client') gaps.push({ offset: p.offset, what: p.message.replace(/; the bytes after the gap follow directly$/, '') });
      else out.notes.push(`${name}: ${p.message}`);
    }
    const { connection, notes } = gaps.length ? splitAroundGaps(c.client, gaps, name, maxHeaderBytes) : splitRequests(c.client, name, maxHeaderBytes);
    out.connections.push(connection);
    append(out.notes, notes);
  }
  return out;
}
