import { describe, expect, test } from 'vitest';
import { DECODE_CACHE_SIZE, decodeMessage } from '../../../src/domain/body/message.js';
import { readVector } from '../../helpers/paths.js';
import { makeRequest } from '../../helpers/factories.js';

const body = readVector('level1-appcrash.body.xml');
const level1 = () => makeRequest('POST', '/stage2.htm', body, [['Content-Length', String(body.length)]]);

describe('decodeMessage', () => {
  test('one decoding per message, shared by every consumer of its event', () => {
    const msg = level1();
    const dec = decodeMessage(msg);
    expect(dec.kind).toBe('wer-report');
    expect(decodeMessage(msg)).toBe(dec);
    expect(decodeMessage(level1())).not.toBe(dec); // same bytes, another message: decoded anew
  });

  test('a message asked for again after many others is decoded again, to an equal result', () => {
    const msg = level1();
    const dec = decodeMessage(msg);
    for (let i = 0; i < DECODE_CACHE_SIZE; i++) decodeMessage(level1());
    const again = decodeMessage(msg);
    expect(again).not.toBe(dec);
    expect(again).toEqual(dec);
    expect(decodeMessage(msg)).toBe(again);
  });
});
