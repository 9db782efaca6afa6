// The Recorder checks when asked (`check`, on when an output shows findings): each event
// carries the findings it produced (`event.findings`), and what never came goes to the sinks'
// findings() before they close; the live/decode views leave out "answer not captured" notes.
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import type { CaptureEvent, ReportFindings, Sink } from '../../../src/model.js';
import { report, NOW } from '../../helpers/crafted.js';
import { readVector } from '../../helpers/paths.js';

class Probe implements Sink {
  readonly log: string[] = [];
  event(ev: CaptureEvent): void {
    const found = ev.findings;
    this.log.push(ev.type + (found ? ` [${found.flatMap((r) => r.findings.map((f) => `${r.stage}:${f.rule}`)).join(' ')}]` : ''));
  }
  findings(found: ReportFindings[]): void {
    this.log.push(`later [${found.flatMap((r) => r.findings.map((f) => `${r.stage}:${f.rule}`)).join(' ')}]`);
  }
  async close(): Promise<void> {
    this.log.push('close');
  }
}

async function run(bytes: Buffer): Promise<string[]> {
  const probe = new Probe();
  const recorder = new Recorder({ sinks: [probe], now: () => NOW, check: true });
  const rec = recorder.open({ id: 1, peer: 'x', local: 'file', openedAt: NOW, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
  rec.push('client', bytes);
  rec.close();
  await recorder.close();
  return probe.log;
}

describe('the Recorder checks when asked', () => {
  it('gives the request its findings, and reports the CAB that never came before closing', async () => {
    const answer = readVector('level1-response-level2.http');
    const log = await run(Buffer.concat([report({ params: [], secondary: [] }), answer]));
    expect(log).toEqual(['open', 'request [report:signature-empty]', 'response', 'close', 'later [end:cab-not-uploaded]', 'close']);
  });

  it('a clean report gets an empty finding list; no "answer not captured" note in the views', async () => {
    expect(await run(report())).toEqual(['open', 'request []', 'close', 'close']);
  });

  it('not asked: nothing is checked, no event carries findings', async () => {
    const seen: CaptureEvent[] = [];
    const recorder = new Recorder({ sinks: [{ event: (ev) => void seen.push(ev), close: async () => {} }], now: () => NOW });
    const rec = recorder.open({ id: 1, peer: 'x', local: 'file', openedAt: NOW, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
    rec.push('client', report({ params: [], secondary: [] }));
    rec.close();
    await recorder.close();
    expect(seen.map((e) => e.type)).toEqual(['open', 'request', 'close']);
    expect(seen.filter((e) => e.findings)).toEqual([]);
  });

  it('every sink reads the same findings off the event', async () => {
    const got: string[][] = [[], []];
    const sink = (i: number): Sink => ({ event: (ev) => { if (ev.findings) got[i]!.push(...ev.findings.flatMap((r) => r.findings.map((f) => f.rule))); }, close: async () => {} });
    const recorder = new Recorder({ sinks: [sink(0), sink(1)], now: () => NOW, check: true });
    const rec = recorder.open({ id: 1, peer: 'x', local: 'file', openedAt: NOW, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
    rec.push('client', report({ params: [], secondary: [] }));
    rec.close();
    await recorder.close();
    expect(got[0]).toEqual(['signature-empty']);
    expect(got[1]).toEqual(got[0]);
  });
});
