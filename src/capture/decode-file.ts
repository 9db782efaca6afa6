// `wer-sniff decode`: feeds saved captures (raw bytes as `nc -l > file`, `--raw` or `-o`
// saved them; one or more HTTP messages back to back, requests or responses) through the same
// Recorder as a live capture. Each input is one connection. Reads stream, so size is no limit.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { ConnectionInfo } from '../model.js';
import type { Recorder } from './recorder.js';
import { WerSniffError } from '../errors.js';

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
      throw new WerSniffError('input-missing', `cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} — check the path`);
    }
    return { name: f, stream: fs.createReadStream(f, { highWaterMark: READ_CHUNK_BYTES }) };
  });
}

export async function decodeInputs(inputs: DecodeInput[], recorder: Recorder): Promise<void> {
  let id = 0;
  for (const input of inputs) {
    const connection: ConnectionInfo = {
      id: ++id, peer: input.name, local: 'file', openedAt: Date.now(), bytesFromClient: 0, bytesFromServer: 0,
    };
    const rec = recorder.open(connection, { layout: 'offline' });
    try {
      for await (const chunk of input.stream) {
        rec.push('client', chunk as Buffer);
        const wait = recorder.backpressure();
        if (wait) await wait;
      }
      rec.close();
    } catch (err) {
      rec.close((err as NodeJS.ErrnoException).code ?? (err as Error).message);
      throw new WerSniffError('input-failed', `reading ${input.name} failed: ${(err as Error).message}`);
    }
  }
}
