// `--har <file>`: an HTTP Archive (HAR 1.2) for browser devtools and HAR viewers, streamed: the
// document and its `entries` array are opened when the sink is made, each entry is written as
// soon as its exchange is finished (har-entry.ts builds it), and the array and document are
// closed at close(). Kept whole until the end, 40 uploads of 20 MiB held ~2 GB and then failed
// in JSON.stringify, leaving an empty file; now memory holds only exchanges still waiting for
// their response. Entries come in the order exchanges finished, which within one connection is
// the order of its requests (what `replay` needs); HAR viewers sort by startedDateTime.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CaptureEvent, Exchange, Sink } from '../model.js';
import { drainOf } from './drain.js';
import { toHarEntry, INLINE_BODY_BYTES } from './har-entry.js';

export { toHarEntry, INLINE_BODY_BYTES } from './har-entry.js';

type Json = Record<string, unknown>;

export interface HarOptions {
  /** log.creator.version. */
  version: string;
  /** --redact: base64 bodies are left out (names inside them could not be replaced). */
  omitBinary?: boolean;
  /** Largest body written inline; larger ones get size and sha256 (default 1 MiB;
   * --include-bodies: Infinity). */
  inlineMax?: number;
  /** Where --save-dir saved an upload (see HarEntryOptions). */
  savedPath?: (ex: Exchange) => string | undefined;
}

/** Exchanges held per connection waiting for their response; beyond this the oldest is
 * written as unanswered (the exchange builder stops waiting for it at the same depth). */
export const MAX_HELD_PER_CONNECTION = 64;

/** Indentation of an entry inside `{ "log": { "entries": [ … ] } }`. */
const ENTRY_INDENT = '      ';

export class HarSink implements Sink {
  /** Per connection, exchanges seen and not yet written, in the order they were first seen. */
  private readonly held = new Map<number, Exchange[]>();
  private readonly written = new WeakSet<Exchange>();
  private entries = 0;

  constructor(private readonly out: Writable, private readonly opts: HarOptions, private readonly endOut = false) {
    const head = JSON.stringify({ log: { version: '1.2', creator: { name: 'wer-sniff', version: opts.version }, pages: [], entries: [] } }, null, 2);
    // Everything up to the entries array's `[`: entries follow, the rest comes at close().
    this.out.write(head.slice(0, head.lastIndexOf('[') + 1));
  }

  event(ev: CaptureEvent): void {
    if (ev.type === 'close') {
      const list = this.held.get(ev.connection.id);
      this.held.delete(ev.connection.id);
      if (list) for (const ex of list) this.write(ex);
      return;
    }
    if (ev.type !== 'request' && ev.type !== 'response') return;
    const ex = ev.exchange;
    if (this.written.has(ex)) return;
    let list = this.held.get(ev.connection.id);
    if (!list) this.held.set(ev.connection.id, (list = []));
    if (!list.includes(ex)) list.push(ex);
    // Finished: both halves are in. A response without a request waits for the request
    // (still uploading: a server may answer early) or for the connection's end (a response-only
    // capture); the next exchange to finish on its connection writes it too.
    if (ex.request && ex.response) this.writeThrough(list, list.indexOf(ex));
    else if (list.length > MAX_HELD_PER_CONNECTION) this.writeThrough(list, 0);
  }

  /** Writes the connection's held exchanges up to and including index `last`: responses come
   * in request order, so earlier ones still held will never be answered. */
  private writeThrough(list: Exchange[], last: number): void {
    for (const ex of list.splice(0, last + 1)) this.write(ex);
  }

  private write(ex: Exchange): void {
    this.written.add(ex);
    const entry = toHarEntry(ex, { inlineMax: this.opts.inlineMax ?? INLINE_BODY_BYTES, savedPath: this.opts.savedPath });
    if (this.opts.omitBinary) entryWithoutBinary(entry);
    const text = JSON.stringify(entry, null, 2).replace(/\n/g, '\n' + ENTRY_INDENT);
    this.out.write(`${this.entries++ ? ',' : ''}\n${ENTRY_INDENT}${text}`);
  }

  waitDrain(): Promise<void> | null {
    return drainOf(this.out);
  }

  async close(): Promise<void> {
    for (const list of this.held.values()) for (const ex of list) this.write(ex);
    this.held.clear();
    const tail = `${this.entries ? '\n    ' : ''}]\n  }\n}\n`;
    if (this.endOut) {
      await new Promise<void>((resolve, reject) => this.out.end(tail, (err?: Error | null) => (err ? reject(err) : resolve())));
    } else if (!this.out.write(tail)) await once(this.out, 'drain');
  }
}

const BINARY_OMITTED = 'binary body left out under --redact';

/** Drops base64 bodies from a HAR document, with a comment where one was, and the exact bytes
 * kept for replay and decode (`_rawHead` of requests, responses and interim answers, `_base64`): names are redacted in text, and cannot be inside
 * base64. `replay` rebuilds such requests from the HAR fields. */
export function withoutBinaryBodies(doc: Json): void {
  for (const e of (doc.log as { entries: Json[] }).entries) entryWithoutBinary(e);
}

/** withoutBinaryBodies for one entry. */
export function entryWithoutBinary(e: Json): void {
  const note = (o: Json): void => {
    o.text = '';
    const kept = String(o.comment ?? '').split('; ').filter((c) => c && !c.startsWith('binary body: text is base64'));
    o.comment = [...kept, BINARY_OMITTED].join('; ');
  };
  delete (e.request as Json)._rawHead;
  delete (e.response as Json)._rawHead;
  for (const r of ((e.response as Json)._interim ?? []) as Json[]) delete r._rawHead;
  const post = (e.request as Json).postData as Json | undefined;
  if (post) delete post._base64;
  if (post?._encoding === 'base64') {
    delete post._encoding;
    note(post);
  }
  const content = (e.response as Json).content as Json;
  if (content.encoding === 'base64') {
    delete content.encoding;
    note(content);
  }
}

/** A whole HAR document in memory (tests, small inputs); the sink streams the same shape. */
export function toHar(exchanges: Exchange[], version: string, inlineMax = INLINE_BODY_BYTES): Json {
  return {
    log: {
      version: '1.2',
      creator: { name: 'wer-sniff', version },
      pages: [],
      entries: exchanges.map((ex) => toHarEntry(ex, { inlineMax })),
    },
  };
}
