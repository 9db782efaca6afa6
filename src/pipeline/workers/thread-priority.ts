// A helper thread that does long work (the CAB worker inflating a 60 MB dump) yields the CPU to
// the thread that serves sockets: on a machine with fewer free cores than busy threads, the
// scheduler otherwise shares a core evenly between them, and every client waits its turn
// behind the inflation. Linux alone lets a nice value be set on one thread (its thread id is
// read from /proc/thread-self); elsewhere this does nothing and the thread runs as before.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The nice value of background helper threads: the socket thread (0) takes the core whenever
 * it has work (about three times the worker's share when both want it), the worker has the
 * whole core otherwise; not so low that a busy machine starves the summaries. */
export const BACKGROUND_NICE = 5;

/** Lowers the calling thread's scheduling priority; true when it was lowered. Never throws. */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): boolean {
  let tid: number;
  try {
    tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
  } catch {
    return false; // not Linux (or /proc not mounted): the priority stays as it is
  }
  // The process's own id would renice every thread, the socket thread too.
  if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
  try {
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return true;
  } catch {
    return false;
  }
}
