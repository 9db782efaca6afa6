// Files extracted from a CAB for download: on first ask the CAB goes to a CAB worker thread (the
// same inspection --save-dir uses, with its extraction budget), which writes its files into a
// folder of the inspector's temporary directory; later asks read them from there. The thread
// that serves sockets never inflates. The most recent MAX_EXTRACTED CABs stay extracted.
import fs from 'node:fs';
import path from 'node:path';
import { safeExtractPath } from '../domain/cab/cab-extract.js';
import type { CabDirResult } from '../pipeline/workers/cab-files.js';
import type { Inspect } from '../pipeline/workers/cab-offload.js';

export const MAX_EXTRACTED = 16;

export class ExtractedCabs {
  private readonly done = new Map<string, Promise<{ dir: string; result?: CabDirResult }>>();
  private seq = 0;

  constructor(private readonly root: string, private readonly inspect: Inspect) {}

  /** The path of file `name` of the CAB known as `key`, once extracted; undefined when it
   * could not be (an error of the extraction names why). */
  async file(key: string, bytes: () => Buffer | undefined, name: string): Promise<{ path?: string; error?: string }> {
    let job = this.done.get(key);
    if (!job) {
      const data = bytes();
      if (!data) return { error: 'the CAB is no longer held' };
      const dir = path.join(this.root, `cab-${++this.seq}`);
      job = this.inspect(data, dir).then((r) => ({ dir, result: r.extracted }), () => ({ dir }));
      this.done.set(key, job);
      if (this.done.size > MAX_EXTRACTED) {
        const [oldKey, old] = this.done.entries().next().value!;
        this.done.delete(oldKey);
        void old.then((o) => fs.rmSync(o.dir, { recursive: true, force: true }));
      }
    }
    const { dir, result } = await job;
    const want = path.join(dir, safeExtractPath(name));
    if (result?.written.includes(want)) return { path: want };
    const err = result?.errors.find((e) => e.name === name);
    return { error: err ? `${err.code}: ${err.message}` : 'the file could not be extracted' };
  }
}
