// createOutputs with -w -: which sink gets stdout, where the human view goes, and the
// combinations it refuses (before anything is written).
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createOutputs } from '../../../src/cli/outputs.js';
import { PcapSink } from '../../../src/sinks/pcap.js';
import { PrettySink } from '../../../src/sinks/pretty.js';

const fakeStdout = (isTTY: boolean) => Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream;

describe('createOutputs and -w -', () => {
  test('pcap goes to stdout (header written at once), the human view to another stream', async () => {
    const out = fakeStdout(false);
    const chunks: Buffer[] = [];
    (out as unknown as PassThrough).on('data', (b: Buffer) => chunks.push(b));
    const o = await createOutputs({ write: '-', color: 'never' }, true, out);
    // The human view shows check findings: the run checks.
    expect(o.sinks.map((s) => s.constructor)).toEqual([PrettySink, PcapSink]);
    expect(o.checks).toBe(true);
    expect(Buffer.concat(chunks).subarray(0, 4).toString('hex')).toBe('d4c3b2a1');
  });

  test('refused: a terminal on stdout, and --json or --raw beside it', async () => {
    await expect(createOutputs({ write: '-' }, true, fakeStdout(true))).rejects.toMatchObject({ code: 'bad-flags', exitCode: 2, message: expect.stringContaining('stdout is a terminal') });
    await expect(createOutputs({ write: '-', json: true }, true, fakeStdout(false))).rejects.toMatchObject({ code: 'bad-flags', message: expect.stringContaining('--json') });
    await expect(createOutputs({ pcap: '-', raw: true }, true, fakeStdout(false))).rejects.toMatchObject({ code: 'bad-flags', message: expect.stringContaining('--raw') });
  });
});
