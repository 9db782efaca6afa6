// The invariants every fuzz target checks, as plain functions that throw InvariantError:
// terminal text is safe to print (no raw control characters but `\n`, and with colour on only
// SGR colour sequences), JSON lines parse, and cheap equality helpers. Pure.

export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

export function fail(message: string): never {
  throw new InvariantError(message);
}

/** SGR ("Select Graphic Rendition"): the colour codes chalk writes, e.g. `\x1b[1;35m`. */
const SGR = /\x1b\[[0-9;]*m/g;
/** What must never reach a terminal raw: C0 controls but LF, DEL, C1 controls, line and
 * paragraph separators, bidi embeddings/overrides/isolates. Lone surrogates are checked apart. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function describe(s: string, at: number): string {
  const from = Math.max(0, at - 20);
  return JSON.stringify(s.slice(from, at + 20));
}

/**
 * Human output is safe to print: `colour` allows SGR sequences (and nothing else with ESC);
 * anything else from UNSAFE, or a lone surrogate, is a failure naming where it was.
 */
export function checkTerminalText(text: string, colour: boolean, what: string): void {
  const plain = colour ? text.replace(SGR, '') : text;
  const m = UNSAFE.exec(plain);
  if (m) fail(`${what}: raw control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in the human output near ${describe(plain, m.index)}`);
  for (let i = 0; i < plain.length; i++) {
    const c = plain.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = plain.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    fail(`${what}: lone surrogate U+${c.toString(16)} in the human output near ${describe(plain, i)}`);
  }
}

export function checkLines(lines: readonly string[], colour: boolean, what: string): void {
  for (const l of lines) {
    if (typeof l !== 'string') fail(`${what}: a line is ${typeof l}, not a string`);
    if (l.includes('\n')) fail(`${what}: a line holds a newline: ${JSON.stringify(l.slice(0, 80))}`);
  }
  checkTerminalText(lines.join('\n'), colour, what);
}

/** Every NDJSON line: one line, parses back to an object. */
export function checkJsonLine(line: string, what: string): void {
  if (line.includes('\n')) fail(`${what}: NDJSON line holds a raw newline`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    fail(`${what}: NDJSON line does not parse: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null) fail(`${what}: NDJSON line is not an object`);
}

/** A stable hash of bytes (FNV-1a, 32 bit) to derive per-input choices that replay exactly. */
export function hashBytes(b: Buffer): number {
  let h = 0x811c9dc5;
  const step = b.length > 65536 ? Math.floor(b.length / 65536) : 1;
  for (let i = 0; i < b.length; i += step) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h ^ b.length) >>> 0;
}
