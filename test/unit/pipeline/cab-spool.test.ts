// Upload spools are temporary files: removed after their job, and whatever is still on disk when
// the run stops (a job the closed worker never finished) is removed then.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { UploadSpool, discardAllSpools } from '../../../src/pipeline/workers/cab-spool.js';
import { tempDir } from '../../helpers/temp.js';

const dir = tempDir('wer-sniff-spool-');

test('a spool holds exactly what was written, in order, and discard removes it', () => {
  const s = new UploadSpool(dir);
  const parts = [Buffer.alloc(300_000, 1), Buffer.from('tail')];
  for (const p of parts) s.write(p);
  const file = s.finish()!;
  expect(fs.readFileSync(file).equals(Buffer.concat(parts))).toBe(true);
  s.discard();
  expect(fs.existsSync(file)).toBe(false);
});

test('spools whose jobs never ended are all removed when the run stops', () => {
  const files = [0, 1, 2].map(() => {
    const s = new UploadSpool(dir);
    s.write(Buffer.from('MSCF'));
    return s.finish()!;
  });
  expect(files.every((f) => fs.existsSync(f))).toBe(true);
  discardAllSpools();
  expect(fs.readdirSync(dir).filter((n) => files.includes(path.join(dir, n)))).toEqual([]);
});
