// Whether a failed open or accept means "no file descriptor free right now" (EMFILE: this
// process's limit, ulimit -n; ENFILE: the whole system's): worth waiting for, as sockets and
// other files close, rather than an error to report at once.

const BUSY = new Set(['EMFILE', 'ENFILE']);

export function isOutOfDescriptors(err: unknown): boolean {
  return BUSY.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}
