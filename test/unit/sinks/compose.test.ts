// composeSinks from its typed options: which sinks it builds, files opened before anything is
// accepted, and the stdout-closed decision (the run goes on only while a file still records).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { composeSinks, type SinkChainOptions } from '../../../src/sinks/compose.js';
import { createPaint } from '../../../src/render/paint.js';
import { RawSink } from '../../../src/sinks/raw.js';
import { RedactLearner } from '../../../src/sinks/redact-learner.js';

const fakeStream = () => Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

function options(over: Partial<SinkChainOptions>, notices: string[]): SinkChainOptions {
  return {
    live: true, stdout: fakeStream(), stderr: fakeStream(), stdoutUse: 'view', stdoutLabel: '--raw',
    view: { paint: createPaint(false), hexDump: false, verbosity: 0 }, redact: false, includeBodies: false, version: 'test',
    notice: (line) => notices.push(line), ...over,
  };
}

describe('composeSinks', () => {
  test('the view (it shows findings: the run checks), then the capture file; --redact puts its learner first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
    dirs.push(dir);
    const notices: string[] = [];
    const file = path.join(dir, 'cap.bin');
    const chain = await composeSinks(options({ captureFile: { path: file, label: `-o ${file}` }, redact: true }, notices));
    expect(chain.sinks.map((s) => s.constructor === Object ? 'guarded' : s.constructor)).toEqual([RedactLearner, 'guarded', 'guarded']);
    // The view (guarded: stdout may close while the file records) still shows findings.
    expect(chain.checks).toBe(true);
    expect(typeof chain.sinks[1]!.findings).toBe('function');
    expect(chain.names).toBeDefined();
    expect(chain.decoded).toBe(true);
    expect(fs.existsSync(file)).toBe(true);
    // stdout closed while the capture file records: the run goes on, and says where to.
    expect(chain.stdoutClosed?.()).toBe(true);
    expect(notices).toEqual([`stdout was closed, so the view stopped; capture goes on into -o ${file} — stop it with Ctrl-C or SIGTERM`]);
    await Promise.all(chain.sinks.map((s) => s.close()));
  });

  test('raw bytes on stdout with nothing else recording: no stdout-closed handler, nothing decoded', async () => {
    const chain = await composeSinks(options({ stdoutUse: 'raw' }, []));
    expect(chain.sinks.map((s) => s.constructor)).toEqual([RawSink]);
    expect(chain.checks).toBe(false);
    expect(chain.stdoutClosed).toBeUndefined();
    expect(chain.decoded).toBe(false);
  });

  test('a file that cannot be opened fails at once, in words', async () => {
    const file = path.join(os.tmpdir(), 'no-such-dir-compose', 'x.pcap');
    await expect(composeSinks(options({ pcapFile: { path: file, label: `-w ${file}` } }, []))).rejects.toMatchObject({
      code: 'output-unwritable', message: expect.stringContaining(`cannot write pcap file ${file}`),
    });
  });
});
