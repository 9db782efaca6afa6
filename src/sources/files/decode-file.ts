// `wer-sniff decode`: feeds saved captures (raw bytes as `nc -l > file`, `--raw` or `-o`
// saved them; one or more HTTP messages back to back, requests or responses) through the same
// Recorder as a live capture. Each raw input is one connection, read as a stream, so size is no
// limit. pcap/pcapng inputs (by magic number) go through pcap-input.ts instead: one connection
// per TCP connection in the capture.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { ConnectionInfo } from '../../model.js';
import type { Recorder } from '../../pipeline/recorder.js';
import { WerSniffError, inWords } from '../../errors.js';
import { detectCaptureFormat, parseCapture, WER_PORT, type TcpFilter } from '../pcap/capture.js';
import { describeNoMatch, feedCapture, formatNotices } from './pcap-input.js';
import { sniffNotHttp } from './sniff.js';

/** Read size: fewer reads than the default 64 KiB, each still small enough to be recycled
 * by the allocator (1 MiB reads cost more system time in page mapping than they save).
 * Message framing does not depend on where reads split. */
export const READ_CHUNK_BYTES = 256 * 1024;

export interface DecodeInput {
  name: string;
  stream: Readable;
}

export function openInputs(files: string[], stdin: Readable = process.stdin): DecodeInput[] {
  const list = files.length ? files : ['-'];
  return list.map((f) => {
    if (f === '-') return { name: '(stdin)', stream: stdin };
    try {
      const st = fs.statSync(f);
      if (st.isDirectory()) throw new WerSniffError('input-is-directory', `${f} is a folder — give capture files, e.g. ${f}/*.http`);
    } catch (err) {
      if (err instanceof WerSniffError) throw err;
      throw new WerSniffError('input-missing', `cannot read ${f}: ${inWords(err)} — check the path`);
    }
    return { name: f, stream: fs.createReadStream(f, { highWaterMark: READ_CHUNK_BYTES }) };
  });
}

export interface DecodeOptions {
  /** Which TCP connections of a pcap/pcapng input to decode (default: port 1273). */
  filter?: TcpFilter;
  /** One-line messages about an input as a whole (damaged capture, nothing on the port). */
  onNotice?(message: string): void;
}

/** True when one of the named files (not stdin) is a pcap/pcapng capture, by magic number.
 * Such input has real times and addresses, so it is shown like a live capture. */
export function hasCaptureFile(files: string[]): boolean {
  return files.some((f) => {
    if (f === '-') return false;
    let fd: number | undefined;
    try {
      fd = fs.openSync(f, 'r');
      const head = Buffer.alloc(4);
      return fs.readSync(fd, head, 0, 4, 0) === 4 && detectCaptureFormat(head) !== undefined;
    } catch {
      return false; // openInputs reports unreadable files
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  });
}

export async function decodeInputs(inputs: DecodeInput[], recorder: Recorder, opts: DecodeOptions = {}): Promise<number> {
  let id = 0;
  let notices = 0;
  const notice = (m: string) => {
    notices++;
    opts.onNotice?.(m);
  };
  for (const input of inputs) {
    const it = input.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      // Capture files are told from raw bytes by their magic number, never by the name.
      const head = await readHead(it);
      if (detectCaptureFormat(Buffer.concat(head.chunks))) {
        const cap = parseCapture(Buffer.concat([...head.chunks, ...(head.done ? [] : await readRest(it))]), opts.filter);
        if (!cap) continue;
        for (const line of formatNotices(input.name, cap.notices)) notice(line);
        const none = describeNoMatch(input.name, cap, opts.filter ?? { port: WER_PORT });
        if (none) opts.onNotice?.(none);
        id += await feedCapture(cap, recorder, id);
        continue;
      }
      // Clearly not HTTP (a CAB, a minidump, TLS, an archive): one line saying what it is.
      const other = sniffNotHttp(Buffer.concat(head.chunks), input.name);
      if (other) {
        notice(`${input.name} is not HTTP: it looks like ${other.what} — ${other.hint}`);
        input.stream.destroy();
        continue;
      }
      const connection: ConnectionInfo = {
        id: ++id, peer: input.name, local: 'file', openedAt: Date.now(), bytesFromClient: 0, bytesFromServer: 0,
      };
      const rec = recorder.open(connection, { layout: 'offline' });
      try {
        for (const chunk of head.chunks) rec.push('client', chunk);
        for (let r = head.done ? undefined : await it.next(); r && !r.done; r = await it.next()) {
          rec.push('client', r.value);
          const wait = recorder.backpressure();
          if (wait) await wait;
        }
        // The input ended: as far as anyone can tell, the client closed its side.
        rec.end('client');
        rec.close();
      } catch (err) {
        rec.close((err as NodeJS.ErrnoException).code ?? (err as Error).message);
        throw err;
      }
    } catch (err) {
      if (err instanceof WerSniffError) throw err;
      throw new WerSniffError('input-failed', `reading ${input.name} failed: ${(err as Error).message}`);
    }
  }
  return notices;
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
