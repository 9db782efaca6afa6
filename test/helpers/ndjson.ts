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
