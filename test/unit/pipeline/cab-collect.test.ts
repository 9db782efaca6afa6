// The CAB worker frees the decoders' dead buffers as extraction goes (cab-worker.ts): inspectCab
// calls `collect` after every COLLECT_EVERY_BYTES of extracted bytes, whatever the method.
import { expect, test } from 'vitest';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { COLLECT_EVERY_BYTES, inspectCab } from '../../../src/pipeline/workers/cab-inspect.js';

test.each(['none', 'mszip'] as const)('%s: one collection after every 4 MiB extracted', (compression) => {
  const data = Buffer.alloc(2 * COLLECT_EVERY_BYTES + 12345);
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
  const cab = writeCab([{ name: 'big.bin', data }], { compression });
  let calls = 0;
  const r = inspectCab(cab, { collect: () => void calls++ });
  expect(r.view.entries.map((e) => e.name)).toEqual(['big.bin']);
  expect(calls).toBe(2);
});
