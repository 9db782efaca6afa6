// Raw captures (as `nc -l > file`, `--raw` or `-o` saved them: one or more HTTP messages back to
// back, requests or responses) and stdin: each is one connection, read as a stream, so size is
// no limit. The first bytes still decide what it is (open-inputs.ts tells files apart before
// reading; stdin only here): a pcap/pcapng magic number or a `{` hands the whole input to the
// capture or HAR reader; a CAB, a minidump or an archive is named in one line instead of
// being decoded as HTTP.
import type { Readable } from 'node:stream';
import type { ConnectionInfo } from '../../model.js';
import { detectCaptureFormat } from '../pcap/capture.js';
import { sniffNotHttp } from './sniff.js';
import type { ChunkTarget } from './chunk-target.js';

/** Read size: fewer reads than the default 64 KiB, each still small enough to be recycled
 * by the allocator (1 MiB reads cost more system time in page mapping than they save).
 * Message framing does not depend on where reads split. */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Whether bytes start like a JSON object (after a BOM and blanks): HTTP never starts so. */
export function looksLikeJson(bytes: Buffer): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b; // '{'
}

export interface RawHandlers {
  /** The input is a pcap/pcapng capture: read whole, returns the connections it fed. */
  capture?(bytes: Buffer): Promise<number>;
  /** It starts like JSON: read whole; returns the last connection id, undefined if no HAR. */
  har?(bytes: Buffer): Promise<number | undefined>;
  notice?(message: string): void;
}

/** Feeds `stream` as connection `id + 1` (or hands it on, see RawHandlers). Returns the last
 * connection id used. */
export async function feedRawStream(stream: Readable, name: string, target: ChunkTarget, id: number, on: RawHandlers): Promise<number> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await readHead(it);
  const first = Buffer.concat(head.chunks);
  if (on.capture && detectCaptureFormat(first)) return id + await on.capture(Buffer.concat([first, ...(head.done ? [] : await readRest(it))]));
  if (on.har && looksLikeJson(first)) {
    const bytes = Buffer.concat([first, ...(head.done ? [] : await readRest(it))]);
    const last = await on.har(bytes);
    if (last !== undefined) return last;
    head.chunks = [bytes];
    head.done = true;
  }
  // Clearly not HTTP (a CAB, a minidump, an archive): one line saying what it is.
  const other = on.notice ? sniffNotHttp(first, name) : undefined;
  if (other) {
    on.notice!(`${name} is not HTTP: it looks like ${other.what} — ${other.hint}`);
    stream.destroy();
    return id;
  }
  const connection: ConnectionInfo = { id: ++id, peer: name, local: 'file', openedAt: Date.now(), bytesFromClient: 0, bytesFromServer: 0 };
  const rec = target.open(connection, 'offline', name);
  try {
    for (const chunk of head.chunks) rec.push('client', chunk);
    for (let r = head.done ? undefined : await it.next(); r && !r.done; r = await it.next()) {
      rec.push('client', r.value);
      const wait = target.backpressure();
      if (wait) await wait;
    }
    // The input ended: as far as anyone can tell, the client closed its side.
    rec.end('client');
    rec.close();
  } catch (err) {
    rec.close((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw err;
  }
  return id;
}

/** Reads until at least 4 bytes (a magic number) are in, or the input ends. */
async function readHead(it: AsyncIterator<Buffer>): Promise<{ chunks: Buffer[]; done: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  while (n < 4) {
    const r = await it.next();
    if (r.done) return { chunks, done: true };
    chunks.push(r.value);
    n += r.value.length;
  }
  return { chunks, done: false };
}

async function readRest(it: AsyncIterator<Buffer>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value);
  return chunks;
}
