// CheckedSink hands a sink each event with the findings it produced, and what never came
// before it closes; the live/decode views leave out "answer not captured" notes.
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { CheckedSink, type FindingSink } from '../../../src/sinks/checked-sink.js';
import type { ReportFindings } from '../../../src/analysis/check/conversation.js';
import type { CaptureEvent } from '../../../src/model.js';
import { report, NOW } from '../../helpers/crafted.js';
import { readVector } from '../../helpers/paths.js';

class Probe implements FindingSink {
  readonly log: string[] = [];
  event(ev: CaptureEvent, found?: ReportFindings[]): void {
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
  const recorder = new Recorder({ sinks: [new CheckedSink(probe, () => NOW)], now: () => NOW });
  const rec = recorder.open({ id: 1, peer: 'x', local: 'file', openedAt: NOW, bytesFromClient: 0, bytesFromServer: 0 }, { layout: 'offline' });
  rec.push('client', bytes);
  rec.close();
  await recorder.close();
  return probe.log;
}

describe('CheckedSink', () => {
  it('gives the request its findings, and reports the CAB that never came before closing', async () => {
    const answer = readVector('level1-response-level2.http');
    const log = await run(Buffer.concat([report({ params: [], secondary: [] }), answer]));
    expect(log).toEqual(['open', 'request [report:signature-empty]', 'response', 'close', 'later [end:cab-not-uploaded]', 'close']);
  });

  it('a clean report gets an empty finding list; no "answer not captured" note in the views', async () => {
    expect(await run(report())).toEqual(['open', 'request []', 'close', 'close']);
  });
});
