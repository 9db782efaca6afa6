import { describe, expect, it, vi } from 'vitest';
import { MAX_LINES, RefusalLog, WINDOW_MS } from '../../../src/cli/refusal-log.js';
import type { Refusal } from '../../../src/sources/net/gate.js';

const refusal = (n: number, message = 'not in --allow'): Refusal => ({ ts: 0, peer: `192.0.2.${n}:4000`, local: '0.0.0.0:1273', reason: 'denied', message });

describe('RefusalLog', () => {
  it('one line per refusal, escaped; a flood is capped per second and summed up', () => {
    const lines: string[] = [];
    let now = 1000;
    const log = new RefusalLog((l) => lines.push(l), () => now);
    log.log(refusal(1, 'TLS handshake failed: \x1b]0;pwned\x07'));
    expect(lines).toEqual(['wer-sniff: refused 192.0.2.1:4000: TLS handshake failed: \\x1b]0;pwned\\x07']);
    for (let i = 2; i <= 500; i++) log.log(refusal(i));
    expect(lines).toHaveLength(MAX_LINES);
    now += 1000; // next window: the held-back count first, then lines again
    log.log(refusal(7));
    expect(lines.slice(MAX_LINES)).toEqual([
      'wer-sniff: … and 490 more connections refused in 1 s (not shown; --json lists every one)',
      'wer-sniff: refused 192.0.2.7:4000: not in --allow',
    ]);
    log.flush();
    expect(lines).toHaveLength(MAX_LINES + 2);
  });

  it('the held-back count also comes out on its own when the flood stops, when the window ends', () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const log = new RefusalLog((l) => lines.push(l), () => Date.now());
      for (let i = 0; i < MAX_LINES + 3; i++) log.log(refusal(i));
      vi.advanceTimersByTime(WINDOW_MS - 1);
      expect(lines).toHaveLength(MAX_LINES); // not before the window ends
      vi.advanceTimersByTime(1);
      expect(lines).toHaveLength(MAX_LINES + 1);
      expect(lines.at(-1)).toBe('wer-sniff: … and 3 more connections refused in 1 s (not shown; --json lists every one)');
      vi.advanceTimersByTime(10 * WINDOW_MS);
      expect(lines).toHaveLength(MAX_LINES + 1); // said once
    } finally {
      vi.useRealTimers();
    }
  });
});
