import { describe, expect, it } from 'vitest';
import { Pseudonyms } from '../../../src/analysis/redact/pseudonyms.js';
import { learnAccount, learnFromStrings, learnHost } from '../../../src/analysis/redact/collect.js';

describe('Pseudonyms', () => {
  it('gives each value one stable pseudonym per kind, whatever its case', () => {
    const p = new Pseudonyms();
    expect(p.learn('machine', 'WKS-0042')).toBe('machine-1');
    expect(p.learn('user', 'jdoe')).toBe('user-1');
    expect(p.learn('machine', 'wks-0042')).toBe('machine-1');
    expect(p.learn('machine', 'SRV-2')).toBe('machine-2');
    expect(p.redact('WKS-0042 jdoe wks-0042 JDOE srv-2')).toBe('machine-1 user-1 machine-1 user-1 machine-2');
  });

  it('replaces whole names only, and leaves well-known accounts and one-letter names alone', () => {
    const p = new Pseudonyms();
    p.learn('user', 'SYSTEM');
    p.learn('user', 'x');
    p.learn('domain', 'LAB');
    expect(p.redact('C:\\Windows\\System32 x available LAB\\jdoe cer-lab')).toBe('C:\\Windows\\System32 x available domain-1\\jdoe cer-domain-1');
  });

  it('never replaces a JSON key, so the schema survives a user called "user"', () => {
    const p = new Pseudonyms();
    p.learn('user', 'user');
    expect(p.redact('{"user":"CORP\\\\user","x":"user"}')).toBe('{"user":"CORP\\\\user-1","x":"user-1"}');
  });

  it('finds names in JSON-escaped, XML-escaped and coloured text', () => {
    const p = new Pseudonyms();
    p.learn('user', "o'brien");
    p.learn('machine', 'PC-1');
    expect(p.redact('{"u":"o\'brien"} o&apos;brien \x1b[1mPC-1\x1b[22m')).toBe('{"u":"user-1"} user-1 \x1b[1mmachine-1\x1b[22m');
  });

  it('keeps the shape of profile paths and drops the user folder, also JSON-escaped', () => {
    const p = new Pseudonyms();
    const out = p.redact('C:\\Users\\aoneil\\AppData and "C:\\\\Users\\\\Bob Smith\\\\x" /home/carol/src C:\\Users\\Public\\x');
    expect(out).toBe('C:\\Users\\user-1\\AppData and "C:\\\\Users\\\\user-2\\\\x" /home/user-3/src C:\\Users\\Public\\x');
    expect(p.redact('aoneil wrote')).toBe('user-1 wrote');
  });
});

describe('collect', () => {
  it('splits host names into machine and domains and skips addresses', () => {
    const p = new Pseudonyms();
    learnHost(p, 'DESK-7731.corp.example.test');
    learnHost(p, '192.168.1.20');
    learnHost(p, '::1');
    expect(p.redact('DESK-7731.corp.example.test example.test 192.168.1.20')).toBe('machine-1.domain-1 domain-2 192.168.1.20');
  });

  it('splits accounts: DOMAIN\\user, user@dns.domain', () => {
    const p = new Pseudonyms();
    learnAccount(p, 'CORP\\a.nguyen');
    learnAccount(p, 'mk@eu.example.test');
    expect(p.redact('CORP\\a.nguyen mk@eu.example.test')).toBe('domain-1\\user-1 user-2@domain-2');
  });

  it('learns UNC hosts and profile folders from nested strings', () => {
    const p = new Pseudonyms();
    learnFromStrings(p, { a: ['x', { b: 'open \\\\FS-BACKUP01\\share\\f.dat' }], c: 'D:\\Documents and Settings\\eve\\x' });
    expect(p.redact('FS-BACKUP01 eve')).toBe('machine-1 user-1');
  });
});
