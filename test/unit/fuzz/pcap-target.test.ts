// The pcap fuzz target's seeds are real conversations: the reader gives back exactly the
// request and answer they were built from (so mutations start from something that decodes).
import { describe, expect, test } from 'vitest';
import { toSeedPcap, pcapTarget } from '../../../src/tools/fuzz/targets/pcap.js';
import { parseCapture } from '../../../src/sources/pcap/capture.js';
import { captureConnectionBytes } from '../../../src/sources/files/pcap-input.js';
import { readVector } from '../../helpers/paths.js';


describe('pcap fuzz target', () => {
  test('a seed pcap decodes to exactly its request and answer, both FINs seen', () => {
    const req = readVector('level1-appcrash.http');
    const ans = readVector('level1-response-level2.http');
    const cap = parseCapture(toSeedPcap(req, ans))!;
    expect(cap.connections).toHaveLength(1);
    const [c] = cap.connections;
    const [bytes] = captureConnectionBytes(cap);
    expect(bytes!.client.equals(req)).toBe(true);
    expect(bytes!.server.equals(ans)).toBe(true);
    expect([c!.client, c!.server]).toEqual(['192.0.2.7:50123', '192.0.2.1:1273']);
    expect(cap.steps.filter((s) => s.type === 'problem')).toEqual([]);
  });

  test('seeds come from the HTTP requests, each wrapped with an answer; run accepts them', () => {
    const files = ['level1-hang.http', 'level2-put.http', 'level1-response-level2.http']
      .map((name) => ({ name, bytes: readVector(name) }));
    const seeds = pcapTarget.seeds(files);
    expect(seeds).toHaveLength(2);
    for (const s of seeds) expect(() => pcapTarget.run(s)).not.toThrow();
    // A cut-off file is still read without an exception.
    expect(() => pcapTarget.run(seeds[0]!.subarray(0, seeds[0]!.length - 7))).not.toThrow();
  });
});
