// The one place captured bytes flow through, live or offline: every chunk goes first to the
// sinks that want exact bytes (raw, capture file, pcap), then to the connection's
// ExchangeBuilder (connection-recorder.ts), whose events go to every sink. Listener, relay and
// `decode` all use it, so each output behaves the same in all three. An event's stages, in
// order: the conversation tracker (report ids, links), the connection's hooks and responder
// (whose answers push() returns as commands for the listener: commands.ts), the wait for a CAB
// summary or for its answer to be sent (held-events.ts), the checks (findings onto the event),
// then the sinks.
import type { BodyObserver, CaptureEvent, Chunk, ConnectionInfo, Direction, Sink } from '../model.js';
import type { CabJobs } from './workers/cab-offload.js';
import { ConversationTracker } from './conversation.js';
import { ConversationChecker, type CheckerOptions } from '../analysis/check/conversation.js';
import { ConnectionRecorder, type ConnectionHooks } from './connection-recorder.js';

export { ConnectionRecorder, WIRE_LIMIT, type ConnectionHooks } from './connection-recorder.js';

export interface RecorderOptions {
  sinks: Sink[];
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  now?: () => number;
  /** Inspect each completed body for hostile or damaged content (problems after its event).
   * Off when nothing shows decoded traffic (`--raw`, `-o`/`-w` alone): it would decode every
   * body, CABs included, for problems no output displays. Default on. */
  checkBodies?: boolean;
  /** Keep every body whole up to maxBodyBytes, a request body over 1 MiB too (--include-bodies
   * gives them inline, the inspector offers each request as sent). Default off: such a body,
   * unless a level-1 report or a CAB, keeps only its first 64 KiB when binary, its first MiB
   * (all that is decoded of it) when text (`Body.headOnly`, domain/body/keep-whole.ts). */
  wholeBodies?: boolean;
  /** Level-2 CABs are summarised by these jobs, off the thread that serves sockets: the
   * connection's events wait (in order) until its CAB's summary is back, other connections go
   * on. Without it, a CAB is decoded when an output first asks, on this thread. */
  cabs?: CabJobs;
  /** This Recorder runs on the thread that serves sockets (listen, relay): nothing here may
   * wait for a helper thread. A large body's sha256 then arrives later and its event waits for
   * it (in order, this connection only), instead of this thread waiting. Default off: offline
   * decoding waits the few milliseconds. */
  socketThread?: boolean;
  /** Told about request heads and body bytes as they arrive, in every mode (the --save-dir
   * writer streams uploads to disk, the progress line counts bytes). */
  observers?: BodyObserver[];
  /** Check each conversation (analysis/check/conversation.ts) as its events go to the sinks,
   * in the order they get them: the findings ride on the event (`event.findings`), those of the
   * run's end go to the sinks' `findings` before they close. On when an output shows findings
   * (SinkChain.checks, the inspector). Default off. */
  check?: boolean | CheckerOptions;
}

export interface Totals {
  connections: number;
  requests: number;
  responses: number;
  problems: number;
  bytesFromClient: number;
  bytesFromServer: number;
  /** Connections turned away at the door (access list, --max-conns, TLS handshake). */
  refused: number;
}

export class Recorder {
  readonly totals: Totals = { connections: 0, requests: 0, responses: 0, problems: 0, bytesFromClient: 0, bytesFromServer: 0, refused: 0 };
  private readonly now: () => number;
  /** Links each level-1 report with its answer and upload, for every connection of this run. */
  readonly conversations: ConversationTracker;

  /** The checks, when this run checks (RecorderOptions.check). */
  private readonly checker?: ConversationChecker;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
    this.conversations = new ConversationTracker({ sniffBodies: opts.checkBodies !== false });
    if (opts.check) this.checker = new ConversationChecker(opts.check === true ? {} : opts.check);
  }

  emit(event: CaptureEvent): void {
    if (event.type === 'request') this.totals.requests++;
    else if (event.type === 'response') this.totals.responses++;
    else if (event.type === 'problem') this.totals.problems++;
    else if (event.type === 'refused') this.totals.refused++;
    // Every sink gets the event even if the checks or a sink before it throw (a bug in a check
    // must not cost the report its --save-dir folder); the first failure is rethrown once all had it.
    let failure: { err: unknown } | undefined;
    if (this.checker) {
      try {
        const found = this.checker.event(event);
        if (found.length) event.findings = found;
      } catch (err) {
        failure = { err };
      }
    }
    for (const s of this.opts.sinks) {
      try {
        s.event?.(event);
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure) throw failure.err;
  }

  open(connection: ConnectionInfo, hooks: ConnectionHooks = {}): ConnectionRecorder {
    this.totals.connections++;
    return new ConnectionRecorder(this, connection, hooks, this.opts, this.now);
  }

  chunkToSinks(chunk: Chunk, connection: ConnectionInfo): void {
    if (chunk.source === 'client') this.totals.bytesFromClient += chunk.bytes.length;
    else this.totals.bytesFromServer += chunk.bytes.length;
    for (const s of this.opts.sinks) s.chunk?.(chunk, connection);
  }

  shutdownToSinks(connection: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void {
    for (const s of this.opts.sinks) s.shutdown?.(connection, source, how, ts);
  }

  /** Resolves when every sink that buffers is below its high-water mark again (and, for
   * `connId`, its upload's spool: workers/cab-spool.ts), or null when none is backed up.
   * Callers pause their sockets until then; `connId` (the connection just read, when only its
   * socket is paused) lets a sink hold back that connection alone. */
  backpressure(connId?: number): Promise<void> | null {
    const sinks = drained(this.opts.sinks, connId);
    // An upload whose spool or hash is behind holds back its own connection only.
    const own = connId === undefined ? null : this.opts.cabs?.waitDrain(connId) ?? this.held.get(connId) ?? null;
    return sinks && own ? Promise.all([sinks, own]).then(() => undefined) : sinks ?? own;
  }

  /** Connections whose large body's hashing is behind (workers/hash-offload.ts): paused by
   * backpressure(connId) until it caught up. */
  private readonly held = new Map<number, Promise<void>>();

  holdConnection(connId: number, until: Promise<void>): void {
    this.held.set(connId, until);
    void until.then(() => {
      if (this.held.get(connId) === until) this.held.delete(connId);
    });
  }

  /** Connections whose events wait for a CAB summary; close() lets them finish first. */
  private readonly waiting = new Set<Promise<void>>();

  wait(p: Promise<void>): void {
    const q = p.finally(() => this.waiting.delete(q));
    this.waiting.add(q);
  }

  async close(): Promise<void> {
    while (this.waiting.size) await Promise.all(this.waiting);
    const found = this.checker?.end(this.now()) ?? [];
    for (const s of this.opts.sinks) if (found.length) s.findings?.(found);
    for (const s of this.opts.sinks) await s.close();
  }
}

/** Resolves when every one of `sinks` that is backed up has drained; null when none is.
 * Called per relayed chunk: no allocation unless a sink is backed up. */
export function drained(sinks: readonly Sink[], connId?: number): Promise<void> | null {
  let waits: Promise<void>[] | undefined;
  for (const s of sinks) {
    const wait = s.waitDrain?.(connId);
    if (wait) (waits ??= []).push(wait);
  }
  return waits ? Promise.all(waits).then(() => undefined) : null;
}
