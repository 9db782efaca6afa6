// escapeControl returns its input untouched exactly when nothing in it needs escaping; the
// check is a loop for short strings and a regex for long ones. Both must agree with the
// definition over every UTF-16 code unit.
import { describe, expect, test } from 'vitest';
import { escapeControl } from '../../../src/util/escape.js';

const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

describe('escapeControl fast path', () => {
  test('every code unit, alone, inside a short string and at the end of a long one', () => {
    let wrong = 0;
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `ab${ch}cd`, 'x'.repeat(70) + ch]) {
        if ((escapeControl(s) !== s) !== NEEDS_ESCAPE.test(s)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  test('surrogate pairs print as themselves; options still apply', () => {
    expect(escapeControl('a😀b')).toBe('a😀b');
    expect(escapeControl('a\nb')).toBe('a\\nb');
    expect(escapeControl('a\nb', undefined, { keepNewlines: true })).toBe('a\nb');
  });
});
