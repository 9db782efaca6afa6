// The suite's leftover check (global-setup.ts): whatever a run leaves in its temporary folder is
// named with its size, so the test that left it can be found; an empty folder passes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLeftovers } from '../../helpers/global-setup.js';
import { testTempDir } from '../../helpers/temp.js';

describe('describeLeftovers', () => {
  it('an empty run folder: nothing to say', () => {
    expect(describeLeftovers(testTempDir('wer-sniff-leftovers-'))).toBeUndefined();
  });

  it('a file and a folder left behind: each named with its bytes, the total, and what to do', () => {
    const run = testTempDir('wer-sniff-leftovers-');
    fs.writeFileSync(path.join(run, 'big.bin'), Buffer.alloc(3000));
    fs.mkdirSync(path.join(run, 'wer-sniff-x-1', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(run, 'wer-sniff-x-1', 'sub', 'report.cab'), Buffer.alloc(500));
    expect(describeLeftovers(run)).toBe(
      'the tests left 2 temporary entries behind (3500 bytes): big.bin (3000 bytes), wer-sniff-x-1 (500 bytes) — remove them in the test that makes them (afterAll, onTestFinished), also when it fails',
    );
  });
});
