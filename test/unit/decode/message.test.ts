import { describe, expect, test } from 'vitest';
import { decodedOf, isDecoded, rememberCabView } from '../../../src/domain/body/message.js';
import { readVector } from '../../helpers/paths.js';
import { makeRequest } from '../../helpers/factories.js';
import type { CabView } from '../../../src/domain/cab/cab-view.js';

const body = readVector('level1-appcrash.body.xml');
const level1 = () => makeRequest('POST', '/stage2.htm', body, [['Content-Length', String(body.length)]]);

describe('decodedOf', () => {
  test('one decoding per message, kept on it and shared by every consumer', () => {
    const msg = level1();
    expect(isDecoded(msg)).toBe(false);
    const dec = decodedOf(msg);
    expect(dec.kind).toBe('wer-report');
    expect(isDecoded(msg)).toBe(true);
    expect(msg.decoded).toBe(dec);
    expect(decodedOf(msg)).toBe(dec);
    expect(decodedOf(level1())).not.toBe(dec); // same bytes, another message: its own decoding
    expect(decodedOf(level1())).toEqual(dec);
  });

  test('a message asked for after many others is not decoded again (no shared cache to fall out of)', () => {
    const msg = level1();
    const dec = decodedOf(msg);
    for (let i = 0; i < 10; i++) decodedOf(level1());
    expect(decodedOf(msg)).toBe(dec);
  });

  test('a CAB view from the worker joins the decoding, before or after it was made', () => {
    const cab = readVector('sample-report.cab');
    const early = makeRequest('PUT', '/x.cab', cab, [['Content-Length', String(cab.length)]]);
    const view = { cab: { files: [] }, entries: [] } as unknown as CabView;
    rememberCabView(early, view);
    expect(decodedOf(early).cab).toBe(view);
    const late = makeRequest('PUT', '/x.cab', cab, [['Content-Length', String(cab.length)]]);
    expect(decodedOf(late).cab).not.toBe(view);
    rememberCabView(late, view);
    expect(decodedOf(late).cab).toBe(view);
  });
});
