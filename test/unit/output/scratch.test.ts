import { test } from 'vitest';
import { splitVector } from '../decode/vectors.js';
import { decodeBody } from '../../../src/decode/views.js';
import { formatBody } from '../../../src/output/format-body.js';
import { plainPaint, createPaint } from '../../../src/output/paint.js';
import { createHash } from 'node:crypto';
test('scratch', () => {
  for (const [name, isResponse] of [['level1-appcrash.http', false], ['level1-bluescreen.http', false], ['level1-hang.http', false], ['level1-generic.http', false], ['level1-response-level2.http', true], ['level1-response-loose.http', true], ['level1-response-nolevel2.http', true], ['level2-put.http', false]] as const) {
    const { head, body } = splitVector(name);
    const dec = decodeBody(body, { headers: [['Content-Type', 'text/plain']], isResponse, requestMethod: 'POST', requestTarget: '/stage2.htm' });
    const b = { length: body.length, data: body, head: body.subarray(0, 64), sha256: createHash('sha256').update(body).digest('hex'), framing: 'content-length' as const, trailers: [], complete: true };
    console.log('=== ' + name + '\n' + formatBody(dec, b, plainPaint, { hexDump: false }).join('\n'));
  }
});
