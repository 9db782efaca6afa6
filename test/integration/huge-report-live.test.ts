// Red-team regression: a level-1 report with 130,000 unknown attributes sent to a real
// `listen` on 127.0.0.1 (130,000 PARAMETERs failed the same way). Before the fix the level-1 check overflowed
// the call stack (`push(...findings)`), the failure became a `decoder-error`, and because the
// answer was sent only after every output and check had seen the request, the client got no
// answer and no --save-dir folder was written. Now the answer is written first and does not
// depend on the checks, and each rule lists at most MAX_FINDINGS_PER_RULE findings, then a count.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliStarter } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { hugeReport } from '../helpers/crafted.js';
import { MAX_FINDINGS_PER_RULE } from '../../src/analysis/check/rules.js';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';
import { tempDir } from '../helpers/temp.js';
import { ndjson } from '../helpers/ndjson.js';

const start = cliStarter();
const tmp = tempDir('wer-sniff-huge-');

describe('a huge level-1 report is answered, saved and checked (capped)', () => {
  // 130,000 PARAMETERs live cost ~4 s of CPU (13 MB of UTF-16 decoded): that case runs through
  // the same Recorder and checks in-process in test/unit/check/huge-report.test.ts.
  for (const kind of ['attributes'] as const) {
    it(`130,000 ${kind}: 200 with a DumpFile, a folder, no decoder-error, findings capped per rule`, async () => {
      const dir = path.join(tmp, kind);
      const r = await start(['listen', '--json', '--save-dir', dir, '-p', '0', '-b', '127.0.0.1']);
      const body = hugeReport(kind, 130_000);
      expect(body.length).toBeGreaterThan(2_000_000);
      const reply = (await sendAndCollect(r.port, [body])).toString('latin1');
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n[^]*iData=1\r\nDumpFile=\\PersistedCabs\\/);
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      const events = ndjson(r.stdout());
      expect(events.filter((e) => e.type === 'problem').map((e) => e.code)).not.toContain('decoder-error');
      expect(events.filter((e) => e.type === 'response').map((e) => e.status)).toEqual([200]);
      const rule = 'unknown-attribute';
      const found = events.filter((e) => e.type === 'finding' && e.rule === rule);
      expect(found).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
      const more = 130_000 - MAX_FINDINGS_PER_RULE;
      expect(found.at(-1)!.message).toBe(`… and ${more} more ${rule} findings like the above (only the first ${MAX_FINDINGS_PER_RULE} of each rule are listed)`);
      const folders = fs.readdirSync(dir);
      expect(folders).toHaveLength(1);
      expect(fs.readdirSync(path.join(dir, folders[0]!))).toEqual(expect.arrayContaining(['level1.http', 'report.xml', 'response.txt']));
    }, 60_000);
  }

  it('an output that throws on the request costs neither the answer nor the other outputs', async () => {
    const seen: string[] = [];
    const recorder = new Recorder({
      sinks: [
        { event: (ev) => { if (ev.type === 'request') throw new Error('a bug in a check'); }, close: async () => {} },
        { event: (ev) => { seen.push(ev.type); }, close: async () => {} },
      ],
    });
    const server = new CerServer({ mode: 'cer', answer: { ask: [], noCab: false } });
    const l = await startListener({ port: 0, bind: '127.0.0.1', recorder, server });
    try {
      const reply = (await sendAndCollect(l.port, [hugeReport('parameters', 3)])).toString('latin1');
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*DumpFile=/);
      // The second output saw the request, and the answer recorded after it.
      expect(seen.slice(0, 3)).toEqual(['open', 'request', 'response']);
      expect(recorder.totals.bytesFromServer).toBe(Buffer.byteLength(reply, 'latin1'));
    } finally {
      await l.close();
    }
  });
});
