// What a listening server does when accept() fails, mostly for want of file descriptors
// (EMFILE/ENFILE: `ulimit -n`, or the whole system). libuv keeps one spare descriptor for this:
// it closes it, accepts and closes the waiting connections, then opens it again. When it
// cannot open it again (another thread — the file-system pool writing a report, a helper —
// took that descriptor meanwhile), the next failure reaches Node as an 'error' event on the
// server. Unhandled, that event ends the process and drops every connection; handled, libuv
// retries accept() at once, so a handler that only logs spins the thread (and the log) until
// some descriptor frees.
//
// The guard handles that event. It holds a spare descriptor of its own: on a descriptor
// failure it closes it, so the next accept() succeeds; the gate turns that connection away at
// once (a refusal, reported, nothing read) and the spare is taken again. Each failure thus
// turns one waiting connection away and the loop ends when none waits: no spin, no crash.
// Clients see their connection closed, as with libuv's own trick, and try again later.
import fs from 'node:fs';
import os from 'node:os';
import type net from 'node:net';
import { isOutOfDescriptors } from '../../util/descriptors.js';

export class AcceptGuard {
  private spare: number | undefined;
  /** Connections to turn away: accepted with the spare descriptor. */
  private owed = 0;
  private toldOther = false;

  constructor(server: net.Server, private readonly onNotice: (line: string) => void) {
    this.takeSpare();
    server.on('error', (err: NodeJS.ErrnoException) => this.failed(err));
  }

  /** True when the connection just accepted came with the spare descriptor: turn it away. */
  shed(): boolean {
    if (this.owed === 0) return false;
    this.owed--;
    return true;
  }

  /** A descriptor was freed (a connection closed): hold the spare again if it is missing. */
  takeSpare(): void {
    if (this.spare !== undefined) return;
    try {
      this.spare = fs.openSync(os.devNull, 'r');
    } catch {
      // out of descriptors too: tried again when a connection closes
    }
  }

  /** Closes the spare at the end of the run. */
  close(): void {
    if (this.spare === undefined) return;
    try {
      fs.closeSync(this.spare);
    } catch {
      // already gone
    }
    this.spare = undefined;
  }

  private failed(err: NodeJS.ErrnoException): void {
    if (isOutOfDescriptors(err)) {
      if (this.spare === undefined) return; // libuv retries; a closing connection frees one
      fs.closeSync(this.spare);
      this.spare = undefined;
      this.owed++;
      return;
    }
    // Other accept failures (ENOBUFS, ENOMEM, ...) concern one connection; said once.
    if (this.toldOther) return;
    this.toldOther = true;
    this.onNotice(`could not accept a connection (${err.code ?? err.message}): ${err.message}; still listening`);
  }
}

export const NO_DESCRIPTORS_MESSAGE = 'out of file descriptors, turned away at once (the client tries again later) — raise the limit (ulimit -n) or lower --max-conns';
