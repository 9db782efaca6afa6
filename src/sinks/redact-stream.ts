// `--redact` for text outputs: a Writable in front of stdout or the HAR file that replaces every
// learned name (redact/pseudonyms.ts) before the bytes leave. It cuts only after a newline —
// the human view, NDJSON and HAR end every event or line with one, and no name spans lines — so
// a name is never split between two writes. It deliberately does not learn names from the
// content of messages; redact-learner.ts does that before the sinks format an event.
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type { Pseudonyms } from '../analysis/redact/pseudonyms.js';

export class RedactingStream extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';

  constructor(private readonly out: Writable, private readonly names: Pseudonyms, private readonly endOut = false) {
    super({ decodeStrings: true });
    // The stream behind reports its own errors (stdout: EPIPE handling; files: OutputFiles);
    // this one only passes them through its callbacks.
    this.on('error', () => {});
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = this.carry + this.decoder.write(chunk);
    const cut = text.lastIndexOf('\n') + 1;
    this.carry = text.slice(cut);
    if (cut === 0) return cb();
    this.forward(text.slice(0, cut), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    const finish = (err?: Error | null): void => {
      if (err || !this.endOut) return cb(err);
      this.out.end((e?: Error | null) => cb(e));
    };
    if (rest) this.forward(rest, finish);
    else finish();
  }

  private forward(text: string, cb: (err?: Error | null) => void): void {
    if (this.out.write(this.names.redact(text))) return cb();
    // A stream that fails while full never drains: its error (or close) ends the wait too.
    const done = (err?: Error | null): void => {
      this.out.off('drain', onDrain).off('error', done).off('close', onDrain);
      cb(err);
    };
    const onDrain = (): void => done();
    this.out.once('drain', onDrain).once('error', done).once('close', onDrain);
  }
}
