// Waiting for an event instead of sleeping a fixed time: the one `until` of the suite. It polls
// `ok` and throws, naming `what`, when the time is up — a test never goes on after a silent
// timeout and then fails for a reason that hides the real one.
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await ok()) return;
    if (Date.now() >= end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A real pause, for tests whose subject is time itself (a trickling client, an idle timer). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
