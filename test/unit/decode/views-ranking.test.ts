// decodeBody picks the highest-scoring view, ties going to the earlier one, and skips views
// whose maxScore cannot win; looksBinary returns early when nothing suspicious is present.
// Both are checked against the plain definitions over the vectors, samples and odd bodies.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  BINARY_SNIFF_CHARS, BODY_VIEWS, decodeBody, looksBinary, type BodyContext, type ViewMeta,
} from '../../../src/domain/body/views.js';
import { decodeText } from '../../../src/domain/body/charset.js';
import { SAMPLES, VECTORS } from '../../helpers/paths.js';

/** looksBinary as first written: count everything. */
function looksBinaryReference(text: string): boolean {
  const n = Math.min(text.length, BINARY_SNIFF_CHARS);
  let controls = 0;
  let replacements = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) controls++;
    else if (c === 0xfffd) replacements++;
  }
  return n > 0 && (controls / n > 0.1 || replacements / n > 0.1);
}

/** The view every view's score ranks first (ties: earlier), asking all of them. */
function bestByReference(bytes: Buffer, ctx: BodyContext): string {
  const meta: ViewMeta = { ctx, decoded: () => decodeText(bytes) };
  const ranked = BODY_VIEWS.map((view, order) => {
    let score = 0;
    try {
      score = view.score(bytes, meta);
    } catch {
      score = 0;
    }
    expect(score, view.name).toBeLessThanOrEqual(view.maxScore);
    return { view, order, score };
  }).filter((r) => r.score > 0).sort((a, b) => b.score - a.score || a.order - b.order);
  return ranked[0]?.view.name ?? 'text';
}

function bodies(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of [VECTORS, SAMPLES]) {
    for (const f of readdirSync(dir)) {
      const raw = readFileSync(path.join(dir, f));
      const m = /\r?\n\r?\n/.exec(raw.toString('latin1'));
      out.push(raw, m ? raw.subarray(m.index + m[0].length) : raw);
    }
  }
  out.push(Buffer.alloc(0), Buffer.from('Bucket=1\r\nResponse=1\r\n'), Buffer.from('plain text'), Buffer.from([0, 1, 2, 3]));
  out.push(Buffer.from('\x1b'.repeat(5) + 'a'.repeat(40)), Buffer.from('\x1b'.repeat(5) + 'a'.repeat(50)), Buffer.from([0xff, 0xfe, 0xfd]));
  return out;
}

describe('view ranking', () => {
  const contexts: BodyContext[] = [
    { headers: [], isResponse: false, requestMethod: 'POST', requestTarget: '/stage2.htm' },
    { headers: [], isResponse: true, requestMethod: 'POST', requestTarget: '/stage2.htm' },
    { headers: [['Content-Type', 'text/xml']], isResponse: false },
    { headers: [['Content-Type', 'text/html'], ['Content-Encoding', 'gzip']], isResponse: true },
  ];

  test('decodeBody chooses what scoring every view would choose', () => {
    for (const bytes of bodies()) {
      for (const ctx of contexts) {
        const dec = decodeBody(bytes, ctx);
        const best = bestByReference(bytes, ctx);
        // a failed render falls back to text/binary with a note; otherwise the best view shows
        if (dec.notes.every((n) => !n.includes('failed'))) expect(dec.kind).toBe(best);
      }
    }
  });

  test('looksBinary agrees with counting every character', () => {
    const texts = bodies().map((b) => decodeText(b).text);
    texts.push('', 'a', '\ufffd', '\ufffd'.repeat(2) + 'a'.repeat(17), '\ufffd'.repeat(2) + 'a'.repeat(18), '\x0b\x0c\t\r\n');
    texts.push('a'.repeat(BINARY_SNIFF_CHARS) + '\u0000', 'a'.repeat(BINARY_SNIFF_CHARS - 1) + '\u0000');
    for (const t of texts) expect(looksBinary(t), JSON.stringify(t.slice(0, 40))).toBe(looksBinaryReference(t));
  });
});
