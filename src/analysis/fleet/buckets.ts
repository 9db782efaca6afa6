// The fleet at a glance: level-1 reports grouped by signature (fleet/signature.ts — the same
// key our Bucket= is derived from), each bucket with its count, what it is, when it was first
// and last seen and on how many machines. A Sink, so it counts every report the capture sees
// (before --filter: the table says what was sent). Bounded: at most MAX_BUCKETS buckets (the
// rest are counted as `other`) and MAX_MACHINES distinct machines remembered per bucket.
import type { CaptureEvent, Sink } from '../../model.js';
import { decodedOf } from '../../domain/body/message.js';
import { isLevel1Request } from '../../domain/server/cer-server.js';
import { reportFacts, type ReportFacts } from './signature.js';

export const MAX_BUCKETS = 10_000;
export const MAX_MACHINES = 10_000;

/** A group of reports: the facts they share (their signature key and what it says), counted. */
export interface Bucket extends Omit<ReportFacts, 'machine'> {
  count: number;
  firstSeen: number;
  lastSeen: number;
  machines: Set<string>;
  /** Machines beyond MAX_MACHINES are counted here, not named. */
  moreMachines: number;
}

export interface BucketStats {
  reports: number;
  /** Reports that fell beyond MAX_BUCKETS. */
  other: number;
  /** Most frequent first; equal counts by first seen. */
  buckets: Bucket[];
}

export class BucketCounter implements Sink {
  private readonly byKey = new Map<string, Bucket>();
  private reports = 0;
  private other = 0;

  event(ev: CaptureEvent): void {
    if (ev.type !== 'request') return;
    const req = ev.exchange.request;
    // Only level-1 reports: decoding every other body (a relay in front of a busy server) is
    // work on the tap that no bucket needs.
    if (!req || !req.body.data || req.body.length === 0 || !isLevel1Request(req.head)) return;
    const report = decodedOf(req).report;
    if (report) this.add(reportFacts(report), req.startTs);
  }

  add(f: ReportFacts, ts: number): void {
    this.reports++;
    let b = this.byKey.get(f.key);
    if (!b) {
      if (this.byKey.size >= MAX_BUCKETS) {
        this.other++;
        return;
      }
      const { machine: _machine, ...shared } = f;
      b = { ...shared, count: 0, firstSeen: ts, lastSeen: ts, machines: new Set(), moreMachines: 0 };
      this.byKey.set(f.key, b);
    }
    b.count++;
    b.firstSeen = Math.min(b.firstSeen, ts);
    b.lastSeen = Math.max(b.lastSeen, ts);
    const m = f.machine ?? '?';
    if (!b.machines.has(m)) {
      if (b.machines.size < MAX_MACHINES) b.machines.add(m);
      else b.moreMachines++;
    }
  }

  stats(): BucketStats {
    const buckets = [...this.byKey.values()].sort((a, b) => b.count - a.count || a.firstSeen - b.firstSeen);
    return { reports: this.reports, other: this.other, buckets };
  }

  async close(): Promise<void> {}
}

/** The `stats` event of --json: plain values, times as ISO strings. */
export function statsJson(s: BucketStats, ts: number): object {
  return {
    // conn 0: about the run, not one connection (like `refused`).
    type: 'stats', ts: new Date(ts).toISOString(), conn: 0, reports: s.reports, other: s.other,
    buckets: s.buckets.map((b) => ({
      count: b.count, event: b.event, app: b.app, version: b.version, code: b.code, module: b.module, offset: b.offset,
      firstSeen: new Date(b.firstSeen).toISOString(), lastSeen: new Date(b.lastSeen).toISOString(),
      machines: b.machines.size + b.moreMachines,
    })),
  };
}
