// `--redact`: the first sink of a run. It sees every event before the outputs format it and
// learns the names in it (redact/collect.ts): headers, the decoded WER report, the level-1
// answer, the CAB's metadata, text files and minidump, paths in problems and raw bytes. The
// outputs' text then goes through RedactingStream. Decoding here costs nothing extra: the
// outputs ask for the same decoding right after and get it from decodedOf's cache.
import type { CaptureEvent, HttpMessage, Request, Sink } from '../model.js';
import { decodedOf, heldBytes } from '../domain/body/message.js';
import type { Pseudonyms } from '../analysis/redact/pseudonyms.js';
import { learnFromCab, learnFromHeaders, learnFromReport, learnFromStrings } from '../analysis/redact/collect.js';

export class RedactLearner implements Sink {
  constructor(private readonly names: Pseudonyms) {}

  event(ev: CaptureEvent): void {
    const p = this.names;
    switch (ev.type) {
      case 'open':
        // The server's own name (the relay's upstream) stays: it names no reporting machine.
        learnFromStrings(p, [ev.connection.peer, ev.connection.local]);
        break;
      case 'request': {
        const req = ev.exchange.request!;
        learnFromStrings(p, req.head.target);
        this.learnMessage(req);
        break;
      }
      case 'response':
        if (ev.exchange.response) this.learnMessage(ev.exchange.response, ev.exchange.request);
        break;
      case 'problem':
        learnFromStrings(p, ev.problem.message);
        break;
      case 'raw':
        learnFromStrings(p, ev.bytes.toString('latin1'));
        break;
    }
  }

  private learnMessage(msg: HttpMessage, request?: Request): void {
    const p = this.names;
    learnFromHeaders(p, msg.head.headers);
    // What is shown of a body is its decoding, made of the bytes held (a part kept, too).
    if (heldBytes(msg.body) === undefined) return;
    const dec = decodedOf(msg, request);
    if (dec.report) learnFromReport(p, dec.report);
    if (dec.cab) learnFromCab(p, dec.cab);
    if (dec.level1) learnFromStrings(p, dec.level1);
    if (dec.text) learnFromStrings(p, dec.text);
  }

  async close(): Promise<void> {}
}
