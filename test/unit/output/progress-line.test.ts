import { describe, expect, test } from 'vitest';
import { ProgressLine, clearingWrites } from '../../../src/sinks/progress.js';
import { MemoryStream } from '../../helpers/streams.js';
import { makeConnection, makeExchange, makeRequest } from '../../helpers/factories.js';
import type { RequestHead } from '../../../src/model.js';

const MiB = 1024 * 1024;
const head = (len: number): RequestHead => makeRequest('PUT', '/x.cab', '', [['Content-Length', String(len)]]).head;

describe('upload progress line', () => {
  test('one upload: report, bytes of total, percent, rate and ETA', () => {
    let now = 0;
    const err = new MemoryStream();
    const p = new ProgressLine(err, () => now);
    const ex = makeExchange({ connection: makeConnection({ id: 17 }), reportId: '5' });
    p.onRequestHead(ex, head(4 * MiB));
    now = 1000;
    p.onBodyData(ex, 'client', Buffer.alloc(2 * MiB));
    expect(p.line(now)).toBe('#17 report 5: 2.00 MiB of 4.00 MiB (50%) · 2.00 MiB/s · ETA 1s');
    expect(err.text).toContain('\r\x1b[2K#17 report 5: 2.00 MiB of 4.00 MiB (50%)');
  });

  test('several uploads share one combined line; writes elsewhere clear it first', () => {
    let now = 0;
    const err = new MemoryStream();
    const p = new ProgressLine(err, () => now);
    const a = makeExchange({ connection: makeConnection({ id: 1 }) });
    const b = makeExchange({ connection: makeConnection({ id: 2 }) });
    p.onRequestHead(a, head(4 * MiB));
    p.onRequestHead(b, head(2 * MiB));
    now = 1000;
    p.onBodyData(a, 'client', Buffer.alloc(2 * MiB));
    p.onBodyData(b, 'client', Buffer.alloc(MiB));
    expect(p.line(now)).toMatch(/^2 uploads: 3\.00 MiB of 6\.00 MiB \(50%\) · .* │ #1 \/x\.cab 50%, #2 \/x\.cab 50%$/);
    const out = new MemoryStream();
    const guarded = clearingWrites(out, () => p.aside(() => {}));
    const before = err.text.length;
    guarded.write('a line of the view\n');
    expect(err.text.slice(before)).toBe('\r\x1b[2K'); // the progress line stepped aside
    expect(out.text).toBe('a line of the view\n');
  });
});
