// `--filter`: wraps the sinks that show and export (human view, --json, --har) so they see only
// matching exchanges; raw capture outputs (-o, --raw, --pcap) are never wrapped and stay
// complete. A request whose verdict depends on its response (`status>=400`) is held until the
// response comes (or the connection ends without one) and then shown together with it.
// Connections: a connection is shown from the moment one of its exchanges or problem events
// matches; its `open` and any problem/raw events before that are held (the first
// MAX_HELD_EVENTS) and shown first, in order; after that its problem and raw events pass and its
// `close` is shown. A connection where nothing matches is not shown at all.
import type { CaptureEvent, ConnectionInfo, Exchange, ReportFindings, Sink } from '../model.js';
import type { Filter } from '../analysis/filter/parse.js';
import { evaluateFilter } from '../analysis/filter/evaluate.js';
import { drained } from '../pipeline/recorder.js';

/** Connection events (open, problem, raw) held per connection until it is shown. */
export const MAX_HELD_EVENTS = 64;
/** Requests waiting for their response per connection; beyond this the oldest is decided as
 * never answered (the exchange builder gives up on it at the same depth). */
export const MAX_WAITING = 64;
/** Shown exchanges remembered for findings that come at the end of the run (a CAB that never
 * came): the most recent ones, as many as the CER server keeps issued DumpFiles. */
export const MAX_SHOWN_KEYS = 10_000;

interface ConnState {
  shown: boolean;
  held: CaptureEvent[];
  waiting: Map<Exchange, CaptureEvent>;
}

type ExchangeEvent = Extract<CaptureEvent, { type: 'request' | 'response' }>;

/** Check findings ride on the event that produced them (`event.findings`: the Recorder's
 * checker sees every exchange, so a hidden PUT still counts as uploaded) and go out with it
 * when it is shown; findings of events that are not shown are not shown either. */
export class FilterSink implements Sink {
  private readonly conns = new Map<number, ConnState>();
  private readonly decided = new WeakMap<Exchange, boolean>();
  private readonly shownKeys = new Set<string>();
  /** Exchanges shown so far, and seen so far. */
  shownExchanges = 0;
  seenExchanges = 0;

  constructor(private readonly filter: Filter, private readonly inner: Sink[]) {}

  event(ev: CaptureEvent): void {
    const st = this.state(ev.connection);
    switch (ev.type) {
      case 'open':
        st.held = [ev];
        return;
      case 'raw':
      case 'interim':
        if (st.shown) this.emit(ev);
        else this.hold(st, ev);
        return;
      case 'problem':
        if (st.shown) this.emit(ev);
        else if (evaluateFilter(this.filter, { connection: ev.connection, problem: ev.problem, final: true }) === true) this.show(st, [ev]);
        else this.hold(st, ev);
        return;
      case 'request':
        this.onRequest(st, ev);
        return;
      case 'response':
        this.onResponse(st, ev);
        return;
      case 'close':
        for (const ex of [...st.waiting.keys()]) this.decideWaiting(st, ex);
        if (st.shown) this.emit(ev);
        this.conns.delete(ev.connection.id);
        return;
    }
  }

  private onRequest(st: ConnState, ev: ExchangeEvent): void {
    this.seenExchanges++;
    const verdict = evaluateFilter(this.filter, { connection: ev.connection, exchange: ev.exchange, final: false });
    if (verdict === undefined) {
      st.waiting.set(ev.exchange, ev);
      if (st.waiting.size > MAX_WAITING) this.decideWaiting(st, st.waiting.keys().next().value!);
      return;
    }
    this.decided.set(ev.exchange, verdict);
    if (verdict) this.showExchange(st, [ev]);
  }

  private onResponse(st: ConnState, ev: ExchangeEvent): void {
    const ex = ev.exchange;
    const request = st.waiting.get(ex);
    if (request) st.waiting.delete(ex);
    if (!ex.request) this.seenExchanges++;
    let verdict = request ? undefined : this.decided.get(ex);
    if (verdict === undefined) verdict = evaluateFilter(this.filter, { connection: ev.connection, exchange: ex, final: true }) === true;
    this.decided.set(ex, verdict);
    if (verdict) this.showExchange(st, request ? [request, ev] : [ev], request !== undefined || !ex.request);
  }

  /** The response will not come: decide on what is known. */
  private decideWaiting(st: ConnState, ex: Exchange): void {
    const ev = st.waiting.get(ex)!;
    st.waiting.delete(ex);
    const verdict = evaluateFilter(this.filter, { connection: ev.connection, exchange: ex, final: true }) === true;
    this.decided.set(ex, verdict);
    if (verdict) this.showExchange(st, [ev]);
  }

  private showExchange(st: ConnState, events: CaptureEvent[], counts = true): void {
    if (counts) this.shownExchanges++;
    this.show(st, events);
  }

  private show(st: ConnState, events: CaptureEvent[]): void {
    if (!st.shown) {
      st.shown = true;
      for (const h of st.held) this.emit(h);
      st.held = [];
    }
    for (const e of events) this.emit(e);
  }

  private hold(st: ConnState, ev: CaptureEvent): void {
    if (st.held.length < MAX_HELD_EVENTS) st.held.push(ev);
  }

  private state(c: ConnectionInfo): ConnState {
    let st = this.conns.get(c.id);
    if (!st) this.conns.set(c.id, (st = { shown: false, held: [], waiting: new Map() }));
    return st;
  }

  private emit(ev: CaptureEvent): void {
    if (ev.type === 'request' || ev.type === 'response') this.remember(`${ev.connection.id}:${ev.exchange.seq}`);
    for (const s of this.inner) s.event?.(ev);
  }

  private remember(key: string): void {
    this.shownKeys.delete(key);
    this.shownKeys.add(key);
    if (this.shownKeys.size > MAX_SHOWN_KEYS) this.shownKeys.delete(this.shownKeys.values().next().value!);
  }

  /** Findings at the end of the run: those about exchanges that were shown. */
  findings(found: ReportFindings[]): void {
    const shown = found.filter((r) => this.shownKeys.has(r.key));
    if (!shown.length) return;
    for (const s of this.inner) s.findings?.(shown);
  }

  waitDrain(connId?: number): Promise<void> | null {
    return drained(this.inner, connId);
  }

  /** One line for stderr at the end of a run. */
  describe(): string {
    return `--filter showed ${this.shownExchanges} of ${this.seenExchanges} exchange${this.seenExchanges === 1 ? '' : 's'}`;
  }

  async close(): Promise<void> {
    for (const st of this.conns.values()) for (const ex of [...st.waiting.keys()]) this.decideWaiting(st, ex);
    this.conns.clear();
    for (const s of this.inner) await s.close();
  }
}
