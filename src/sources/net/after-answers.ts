// What the listener does once an answer is written, put off until every socket readable in
// this turn of the event loop has been read and answered: reporting the answer back to the
// pipeline (ConnectionRecorder.sent/unsent), which frames it and hands its request's event to
// the checks, the outputs and the --save-dir writer. Reports that arrive together (a fleet's
// clients, a pipelined burst) then each get their answer after their own decoding alone,
// not after every earlier report's outputs and files too.
//
// Runs in order, for all connections: a connection's own steps (sent, then the end of our
// side) stay in the order they were taken. Whatever else happens to a connection (its end,
// an error, its close, the listener stopping) flushes first, so the pipeline sees the answers
// before it.

export class AfterAnswers {
  private queue: (() => void)[] = [];
  private scheduled = false;

  add(step: () => void): void {
    this.queue.push(step);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Every step now, in order. One that throws (a bug) does not stop the others; the first
   * failure is rethrown once all ran, as a throw from the socket handler it came from would
   * have been. */
  flush(): void {
    this.scheduled = false;
    let failure: { err: unknown } | undefined;
    while (this.queue.length > 0) {
      const steps = this.queue;
      this.queue = [];
      for (const step of steps) {
        try {
          step();
        } catch (err) {
          failure ??= { err };
        }
      }
    }
    if (failure) throw failure.err;
  }
}
