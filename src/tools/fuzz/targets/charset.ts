// Fuzz target: charset detection and decoding (src/domain/body/charset.ts). Invariants: detection and
// decoding never throw, are deterministic, the decoded text is no longer than the bytes allow,
// and once escaped for the terminal it is safe to print.
import { decodeText, decodeWith, detectCharset } from '../../../domain/body/charset.js';
import { escapeControl } from '../../../util/escape.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateUtf16 } from '../mutate-formats.js';
import { checkTerminalText, fail } from '../check.js';
import type { FuzzTarget } from '../target.js';

const CONTENT_TYPES = [undefined, 'text/xml; charset=utf-16', 'text/plain; charset="windows-1252"', 'text/html; charset=utf-8', 'x; charset=nonsense', 'x;charset=utf-16be'];
const CHARSETS = ['utf-16le', 'utf-16be', 'utf-8', 'windows-1252', 'latin1', 'nonsense'];

export const charsetTarget: FuzzTarget = {
  name: 'charset',
  about: 'charset detection and decoding: never throws, deterministic, bounded length, escaped text is terminal-safe',
  seeds: (files) => files.map((f) => f.bytes.subarray(Math.max(0, f.bytes.indexOf('\r\n\r\n') + 4) % Math.max(1, f.bytes.length))),
  mutators: [...BYTE_MUTATORS, mutateUtf16, mutateUtf16],
  run(input) {
    const ct = CONTENT_TYPES[input.length % CONTENT_TYPES.length];
    const a = decodeText(input, ct);
    const b = decodeText(input, ct);
    if (a.text !== b.text || a.charset !== b.charset || a.rule !== b.rule) fail('decodeText is not deterministic');
    if (a.charset !== detectCharset(input, ct).charset) fail('decodeText and detectCharset disagree');
    // one UTF-16 code unit per input byte at most (+1 for a U+FFFD of an odd trailing byte)
    if (a.text.length > input.length + 1) fail(`decoded ${input.length} bytes into ${a.text.length} characters`);
    checkTerminalText(escapeControl(a.text.slice(0, 65536)), false, 'escaped decoded text');
    for (const cs of CHARSETS) {
      const t = decodeWith(input, cs);
      if (t.length > input.length + 1) fail(`${cs}: decoded ${input.length} bytes into ${t.length} characters`);
    }
  },
};
