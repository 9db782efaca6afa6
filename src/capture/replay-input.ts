// Reads `replay` captures into a ReplaySource. The format is told by the content, not the name:
// a HAR (JSON with log.entries) or raw client bytes as `decode` reads them (one file = one
// connection; `-` is stdin). pcap/pcapng are recognised by their magic; their reader plugs in
// here by handing each TCP connection's client→server bytes to splitRequests. Each capture is
// read whole into memory: requests are sent as slices of it.
import fs from 'node:fs';
import { WerSniffError } from '../errors.js';
import type { ReplaySource } from '../replay/source.js';
import { splitRequests } from '../replay/split-requests.js';
import { harRequests, HarInputError } from '../replay/har-requests.js';

const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

export function readReplaySource(files: string[], maxHeaderBytes?: number): ReplaySource {
  const out: ReplaySource = { connections: [], notes: [] };
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
    } catch (err) {
      throw new WerSniffError('input-missing', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} — check the path`);
    }
    if (bytes.length >= 4 && PCAP_MAGICS.includes(bytes.readUInt32BE(0))) {
      throw new WerSniffError('replay-pcap', `${file} is a pcap capture; replay reads raw captures and HAR in this build — save the client bytes first (Wireshark: Follow TCP Stream, one direction, Show as Raw, Save as)`);
    }
    const source = looksLikeJson(bytes) ? fromHar(bytes, file) : fromRaw(bytes, file, maxHeaderBytes);
    out.connections.push(...source.connections);
    out.notes.push(...source.notes);
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
