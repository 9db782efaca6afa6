// The V8 limits every helper thread is started with (the relay thread, the CAB worker, the
// hash helper). Each thread is an isolate with a heap of its own, and V8 grows an isolate's
// young generation (two semi-spaces, memory that stays committed) as far as the machine's
// memory allows, whenever objects keep surviving its collections. A thread that moves bytes
// all day (the relay thread: an event and a Buffer per read) grew it to several MB, and so did
// each idle helper while it loaded its code: RSS the main thread never sees, paid once per
// thread. These threads keep little in JavaScript objects (their bytes are in ArrayBuffers,
// outside the V8 heap), so the smallest young generation V8 allows costs them only more
// frequent, cheap young collections; the old generation is left unbounded (a limit there
// would end a thread that decodes a large dump).
import type { ResourceLimits } from 'node:worker_threads';

export const HELPER_THREAD_LIMITS: ResourceLimits = {
  /** V8 makes the semi-spaces a third of this each, and 1 MB is its smallest semi-space. */
  maxYoungGenerationSizeMb: 3,
};
