import { describe, expect, it } from 'vitest';
import { decideBodyLength } from '../../../src/pipeline/http/body-length.js';
import type { Header, RequestHead, ResponseHead } from '../../../src/model.js';

const req = (headers: Header[], method = 'POST'): RequestHead => ({ kind: 'request', method, target: '/', version: 'HTTP/1.1', headers, raw: Buffer.alloc(0) });
const res = (status: number, headers: Header[] = []): ResponseHead => ({ kind: 'response', version: 'HTTP/1.1', status, reason: '', headers, raw: Buffer.alloc(0) });

describe('decideBodyLength (RFC 9112 §6.3)', () => {
  it('step 1: HEAD, 1xx, 204, 304 have no body', () => {
    expect(decideBodyLength(res(200, [['Content-Length', '5']]), 'HEAD')).toEqual({ kind: 'none' });
    for (const s of [100, 102, 103, 204, 304]) expect(decideBodyLength(res(s, [['Content-Length', '5']]))).toEqual({ kind: 'none' });
  });
  it('step 2: CONNECT 2xx and 101 are tunnels; CONNECT 407 is not', () => {
    expect(decideBodyLength(res(200), 'CONNECT')).toEqual({ kind: 'tunnel' });
    expect(decideBodyLength(res(101))).toEqual({ kind: 'tunnel' });
    expect(decideBodyLength(res(407, [['Content-Length', '0']]), 'CONNECT')).toEqual({ kind: 'content-length', length: 0 });
  });
  it('steps 3–4: Transfer-Encoding', () => {
    expect(decideBodyLength(req([['Transfer-Encoding', 'chunked'], ['Content-Length', '9']]))).toEqual({ kind: 'chunked' });
    expect(decideBodyLength(req([['Transfer-Encoding', 'gzip'], ['transfer-encoding', 'CHUNKED']]))).toEqual({ kind: 'chunked' });
    expect(decideBodyLength(res(200, [['Transfer-Encoding', 'gzip']]))).toEqual({ kind: 'until-close' });
    expect(decideBodyLength(req([['Host', 'x'], ['Transfer-Encoding', 'chunked, gzip']]))).toMatchObject({ kind: 'problem', code: 'bad-transfer-encoding', headerIndex: 1 });
  });
  it('steps 5–6: Content-Length', () => {
    expect(decideBodyLength(req([['Content-Length', '42']]))).toEqual({ kind: 'content-length', length: 42 });
    expect(decideBodyLength(req([['Content-Length', '42, 42'], ['content-length', '42']]))).toEqual({ kind: 'content-length', length: 42 });
    expect(decideBodyLength(req([['Content-Length', '42'], ['A', 'b'], ['content-length', '43']]))).toMatchObject({ kind: 'problem', code: 'bad-content-length', headerIndex: 2, message: 'expected every Content-Length to equal 42, saw "43"' });
    expect(decideBodyLength(req([['Content-Length', '+1']]))).toMatchObject({ code: 'bad-content-length', message: 'expected Content-Length to be decimal digits, saw "+1"' });
    expect(decideBodyLength(req([['Content-Length', '9007199254740993']]))).toMatchObject({ code: 'bad-content-length' });
  });
  it('steps 7–8: neither', () => {
    expect(decideBodyLength(req([], 'GET'))).toEqual({ kind: 'none' });
    expect(decideBodyLength(res(200))).toEqual({ kind: 'until-close' });
  });
});
