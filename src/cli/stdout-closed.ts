// What happens when stdout's reader goes away (`| head`, a closed pager): main.ts asks here
// first. A live run that still records elsewhere (-o, -w <file>, --har, --save-dir) registers a
// handler that drops the view and lets the capture go on; without one the run ends quietly
// (exit 0), as a filter such as `| head` expects.

let handler: (() => boolean) | undefined;
/** The answer given the first time: later write errors on the dead pipe get the same one. */
let decided: boolean | undefined;

/** `keepGoing` is called once when stdout is closed; true means the run goes on without it. */
export function onStdoutClosed(keepGoing: (() => boolean) | undefined): void {
  handler = keepGoing;
  decided = undefined;
}

/** Called by main.ts on EPIPE: whether the run goes on (else it exits 0). */
export function stdoutClosed(): boolean {
  decided ??= handler?.() ?? false;
  return decided;
}
