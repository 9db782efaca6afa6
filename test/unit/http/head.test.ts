import { describe, expect, it } from 'vitest';
import {
  checkStartPrefix, detectKind, formatExcerpt, getHeader, getHeaderAll, hasToken, parseHead, parseHeaderLine,
  parseStartLine, stripEol,
} from '../../../src/pipeline/http/head.js';
import type { Header } from '../../../src/model.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseHead', () => {
  it('parses a request head, keeping case, order, duplicates and the raw bytes', () => {
    const raw = b('POST /stage2.htm HTTP/1.1\r\nUser-Agent: MSDW\r\nHost:  cer:1273 \r\nX-A: 1\r\nx-a: 2\r\n\r\n');
    const r = parseHead(raw);
    expect(r).toEqual({
      ok: true,
      head: { kind: 'request', method: 'POST', target: '/stage2.htm', version: 'HTTP/1.1', headers: [['User-Agent', 'MSDW'], ['Host', 'cer:1273'], ['X-A', '1'], ['x-a', '2']], raw },
      headerOffsets: [27, 45, 63, 71],
    });
  });

  it('parses a status line with and without a reason, LF-only, obs-fold', () => {
    const r = parseHead(b('HTTP/1.0 404 Not  Found\nA: x\n  y\n\n'), 'response');
    expect(r.ok && r.head).toMatchObject({ kind: 'response', version: 'HTTP/1.0', status: 404, reason: 'Not  Found', headers: [['A', 'x y']] });
    const s = parseHead(b('HTTP/1.1 200\r\n\r\n'));
    expect(s.ok && s.head).toMatchObject({ status: 200, reason: '' });
  });

  it('keeps latin1 bytes as latin1 and accepts a raw-backslash target', () => {
    const r = parseHead(b('PUT \\Cabs\\x.cab HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n'));
    expect(r.ok && r.head).toMatchObject({ target: '\\Cabs\\x.cab', headers: [['X-Name', 'café']] });
  });

  it('reports where it failed', () => {
    expect(parseHead(b('GET / HTTP/1.1\r\nHost: a\r\nbroken\r\n\r\n'))).toMatchObject({ ok: false, at: 25, problem: { code: 'bad-header' } });
    expect(parseHead(b('HTTP/1.1 20 OK\r\n\r\n'), 'response')).toMatchObject({ ok: false, at: 0, problem: { code: 'bad-status-line' } });
    expect(parseHead(b('GET / HTTP/1.1\r\n'))).toMatchObject({ ok: false, problem: { code: 'bad-header', message: expect.stringContaining('blank line') } });
  });
});

describe('start lines', () => {
  it('request lines', () => {
    expect(parseStartLine(b('GET /a?b=c HTTP/1.1'), 'request')).toEqual({ kind: 'request', method: 'GET', target: '/a?b=c', version: 'HTTP/1.1' });
    expect(parseStartLine(b('GET /a b HTTP/1.1'), 'request')).toMatchObject({ target: '/a b' }); // tolerant: split on first/last SP
    expect(parseStartLine(b('G@T / HTTP/1.1'), 'request')).toMatchObject({ code: 'bad-request-line', message: expect.stringContaining('method token') });
    expect(parseStartLine(b(' / HTTP/1.1'), 'request')).toMatchObject({ code: 'bad-request-line' });
    expect(parseStartLine(b('GET  HTTP/1.1'), 'request')).toMatchObject({ code: 'bad-request-line' });
  });

  it('status lines', () => {
    expect(parseStartLine(b('HTTP/1.1 100 Continue'), 'response')).toEqual({ kind: 'response', version: 'HTTP/1.1', status: 100, reason: 'Continue' });
    expect(parseStartLine(b('HTTP/1.1 abc OK'), 'response')).toMatchObject({ code: 'bad-status-line' });
  });

  it('prefix checks: TLS, response on the client side, auto detection', () => {
    expect(checkStartPrefix(b('\x16\x03\x01\x00'), 'request')?.message).toContain('CorporateWERUseSSL?');
    expect(checkStartPrefix(b('\x16\x03\x01\x00'), 'response')?.message).toContain('TLS');
    expect(checkStartPrefix(b('POST /stage2.htm'), 'request')).toBeUndefined();
    expect(checkStartPrefix(b('HT'), 'response')).toBeUndefined();
    expect(checkStartPrefix(b('HTTP/1.1 200 OK'), 'request')?.message).toContain('looks like a response');
    expect(detectKind(b('HTTP/1.1 200'), 'auto')).toBe('response');
    expect(detectKind(b('HEAD / HTTP/1.1'), 'auto')).toBe('request');
    expect(detectKind(b('HTTP/1.1 200'), 'request')).toBe('request');
  });
});

describe('header lines and helpers', () => {
  it('folds, rejects names with spaces or CTLs', () => {
    const h: Header[] = [];
    expect(parseHeaderLine(b('A:  1 '), h)).toBe(true);
    expect(parseHeaderLine(b('\t2'), h)).toBe(false);
    expect(h).toEqual([['A', '1 2']]);
    expect(parseHeaderLine(b('A B: 1'), h)).toMatchObject({ code: 'bad-header' });
    expect(parseHeaderLine(b('A\x00: 1'), h)).toMatchObject({ code: 'bad-header', message: expect.stringContaining('\\x00') });
    expect(parseHeaderLine(b(' x'), [])).toMatchObject({ code: 'bad-header' });
  });

  const headers: Header[] = [['Connection', 'Keep-Alive, Upgrade'], ['connection', 'close'], ['Expect', '100-Continue'], ['TE', ' ']];
  it('getHeader / getHeaderAll are case-insensitive and ordered', () => {
    expect(getHeader(headers, 'CONNECTION')).toBe('Keep-Alive, Upgrade');
    expect(getHeaderAll(headers, 'Connection')).toEqual(['Keep-Alive, Upgrade', 'close']);
    expect(getHeader(headers, 'missing')).toBeUndefined();
  });
  it('hasToken reads comma lists across repeated headers', () => {
    expect(hasToken(headers, 'connection', 'close')).toBe(true);
    expect(hasToken(headers, 'Connection', 'upgrade')).toBe(true);
    expect(hasToken(headers, 'expect', '100-continue')).toBe(true);
    expect(hasToken(headers, 'connection', 'keep')).toBe(false);
    expect(hasToken(headers, 'te', '')).toBe(false);
  });

  it('formatExcerpt escapes and caps', () => {
    expect(formatExcerpt(b('a\r\n\t\x16\xff"'))).toBe('"a\\r\\n\\t\\x16\\xff""');
    expect(formatExcerpt(b('x'.repeat(100)), 10)).toBe('"xxxxxxxxxx…"');
    expect(stripEol(b('ab\r\n')).toString()).toBe('ab');
    expect(stripEol(b('ab\n')).toString()).toBe('ab');
    expect(stripEol(b('ab\r')).toString()).toBe('ab');
  });
});
