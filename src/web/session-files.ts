// The whole session as the file outputs write it, for the inspector's downloads: the same
// PcapSink (-w) and HarSink (--har) write into two files in the inspector's temporary folder, so
// a download gives the bytes those flags would have written. Each file stops growing at `cap`
// bytes (a long run must not fill the disk unnoticed): from then on the sink is not called
// again, so what is written stays a well-formed file, and `capped` says it is cut short. A
// file that fails (disk full) is closed and its download says so; capture goes on.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CaptureEvent, Chunk, ConnectionInfo, Direction, Sink } from '../model.js';
import { PcapSink } from '../sinks/pcap.js';
import { HarSink } from '../sinks/har.js';

/** Bytes each session file may grow to. */
export const SESSION_FILE_CAP = 1024 * 1024 * 1024;

/** A synchronous file writer that counts and never throws: a failure is kept in `error`. */
class CountingFile extends Writable {
  bytes = 0;
  error: string | undefined;
  private fd: number | undefined;

  constructor(readonly file: string) {
    super();
    this.fd = fs.openSync(file, 'w');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.fd !== undefined && !this.error) {
      try {
        for (let off = 0; off < chunk.length;) off += fs.writeSync(this.fd, chunk, off);
        this.bytes += chunk.length;
      } catch (e) {
        this.error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
    }
    cb();
  }

  shut(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export class SessionFiles implements Sink {
  private readonly pcapFile: CountingFile;
  private readonly harFile: CountingFile;
  private readonly pcap: PcapSink;
  private readonly har: HarSink;
  private harClosed = false;
  /** What HarSink writes at close(); appended to a download taken while the run goes on. */
  private readonly harHeadBytes: number;

  constructor(readonly dir: string, version: string, private readonly cap = SESSION_FILE_CAP) {
    this.pcapFile = new CountingFile(path.join(dir, 'session.pcap'));
    this.harFile = new CountingFile(path.join(dir, 'session.har'));
    this.pcap = new PcapSink(this.pcapFile);
    this.har = new HarSink(this.harFile, { version });
    this.harHeadBytes = this.harFile.bytes;
  }

  get capped(): boolean {
    return this.pcapFile.bytes >= this.cap || this.harFile.bytes >= this.cap;
  }

  sizes(): { pcapBytes: number; harBytes: number; capped: boolean } {
    return { pcapBytes: this.pcapFile.bytes, harBytes: this.harFile.bytes, capped: this.capped };
  }

  chunk(chunk: Chunk, conn: ConnectionInfo): void {
    if (this.pcapFile.bytes < this.cap) this.pcap.chunk(chunk, conn);
  }

  shutdown(conn: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void {
    if (this.pcapFile.bytes < this.cap) this.pcap.shutdown(conn, source, how, ts);
  }

  event(ev: CaptureEvent): void {
    if (this.pcapFile.bytes < this.cap) this.pcap.event(ev);
    if (this.harFile.bytes < this.cap && !this.harClosed) this.har.event(ev);
  }

  /** The pcap download: the file, or why there is none. */
  pcapDownload(): { file: string; bytes: number } | { error: string } {
    return this.pcapFile.error ? { error: `the session pcap could not be written (${this.pcapFile.error})` } : { file: this.pcapFile.file, bytes: this.pcapFile.bytes };
  }

  /** The HAR download: the file so far, and the tail that closes its document while the run
   * goes on (HarSink writes it at close). */
  harDownload(): { file: string; bytes: number; tail: string } | { error: string } {
    if (this.harFile.error) return { error: `the session HAR could not be written (${this.harFile.error})` };
    const tail = this.harClosed ? '' : `${this.harFile.bytes > this.harHeadBytes ? '\n    ' : ''}]\n  }\n}\n`;
    return { file: this.harFile.file, bytes: this.harFile.bytes, tail };
  }

  /** The input ended (decode, inspect): the HAR's held exchanges are written and it is closed,
   * as --har closes it; the downloads then are those files exactly. */
  async finish(): Promise<void> {
    if (this.harClosed) return;
    this.harClosed = true;
    await this.har.close();
    await this.pcap.close();
  }

  async close(): Promise<void> {
    await this.finish();
    this.pcapFile.shut();
    this.harFile.shut();
  }
}
