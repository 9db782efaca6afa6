// The one NDJSON parser of the suite: --json output (a Buffer or a string) → one object per
// line. CRLF-safe; blank lines are skipped; a line that is not JSON throws with its number.
export type JsonEvent = { type: string; [k: string]: any };

export function ndjson(out: Buffer | string): JsonEvent[] {
  const text = typeof out === 'string' ? out : out.toString('utf8');
  const events: JsonEvent[] = [];
  text.split('\n').forEach((line, i) => {
    const l = line.replace(/\r$/, '');
    if (!l.trim()) return;
    try {
      events.push(JSON.parse(l));
    } catch {
      throw new Error(`--json line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
    }
  });
  return events;
}

/** The HTTP meaning of a run: per connection, its request/report/response/problem events
 * without what differs by nature (times, connection numbers, live-only report ids). */
export function exchangesByConnection(evs: readonly Record<string, any>[]): string[][] {
  const byConn = new Map<number, string[]>();
  for (const e of evs) {
    if (!['request', 'report', 'response', 'problem'].includes(e.type)) continue;
    const { ts: _t, conn, latencyMs: _l, reportId: _r, ...rest } = e;
    if (!byConn.has(conn)) byConn.set(conn, []);
    byConn.get(conn)!.push(JSON.stringify(rest));
  }
  return [...byConn.values()];
}
