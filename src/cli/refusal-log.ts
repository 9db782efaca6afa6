// The stderr lines for refused connections. One line each, naming the peer — but a flood (a
// scanner, a SYN flood past --max-conns) must not bury the terminal: beyond MAX_LINES per
// window the lines are counted and summed up in one line when the window ends.
import type { Refusal } from '../sources/net/gate.js';
import { escapeControl } from '../util/escape.js';

export const MAX_LINES = 10;
export const WINDOW_MS = 1000;

export class RefusalLog {
  private windowStart = -Infinity;
  private shown = 0;
  private hidden = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly write: (line: string) => void, private readonly now: () => number = Date.now) {}

  log(r: Refusal): void {
    const t = this.now();
    if (t - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = t;
      this.shown = 0;
    }
    if (this.shown < MAX_LINES) {
      this.shown++;
      // escaped: a handshake error message may quote what the client sent
      this.write(`wer-sniff: refused ${r.peer}: ${escapeControl(r.message)}`);
      return;
    }
    if (this.hidden++ === 0) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowStart + WINDOW_MS - t));
      this.timer.unref();
    }
  }

  /** Prints the count of lines held back, if any (also at shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.hidden === 0) return;
    this.write(`wer-sniff: … and ${this.hidden} more connection${this.hidden === 1 ? '' : 's'} refused in ${WINDOW_MS / 1000} s (not shown; --json lists every one)`);
    this.hidden = 0;
  }
}
