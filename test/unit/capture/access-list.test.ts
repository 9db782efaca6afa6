import { describe, expect, test } from 'vitest';
import { AccessList, parseAddressRule, parseRuleLines, type AddressRule } from '../../../src/sources/net/access-list.js';

const rule = (t: string) => parseAddressRule(t) as AddressRule;

describe('parseAddressRule', () => {
  test.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.0.2.7', { address: '192.0.2.7', prefix: 32, family: 'ipv4' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['[fd00::]/8', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    [' ::ffff:10.0.0.0/104 ', { address: '::ffff:10.0.0.0', prefix: 104, family: 'ipv6' }],
  ])('%s', (text, want) => expect(parseAddressRule(text)).toMatchObject(want));

  test.each(['10.0.0/8', '10.0.0.0/33', 'fd00::/129', 'example.test', '', '10.0.0.0/', 'fe80::1%eth0', '1.2.3.4/8/8'])(
    'rejects %j with a message naming it', (text) => {
      const r = parseAddressRule(text);
      expect(typeof r).toBe('string');
      expect(r).toContain(`"${text.trim()}"`);
    });
});

describe('parseRuleLines', () => {
  test('one rule per line, # comments, blank lines, CRLF; errors name the line', () => {
    const got = parseRuleLines('# office\r\n10.0.0.0/8   # LAN\r\n\r\n  fd00::/8\n192.0.2.1, 192.0.2.2\n', 'f');
    expect(got.map((r) => r.text)).toEqual(['10.0.0.0/8', 'fd00::/8', '192.0.2.1', '192.0.2.2']);
    expect(() => parseRuleLines('10.0.0.1\n\n300.0.0.1\n', '--allowfile x')).toThrow(/^--allowfile x line 3: "300\.0\.0\.1" is not/);
  });
});

describe('AccessList', () => {
  test('no rules: everyone', () => {
    const a = new AccessList([], []);
    expect(a.active).toBe(false);
    expect(a.check('203.0.113.9')).toBeUndefined();
  });

  test('allow: only matching peers, IPv4-mapped IPv6 peers included', () => {
    const a = new AccessList([rule('10.0.0.0/8'), rule('fd00::/8')], []);
    expect(a.check('10.1.2.3')).toBeUndefined();
    expect(a.check('::ffff:10.1.2.3')).toBeUndefined();
    expect(a.check('fd12::5')).toBeUndefined();
    expect(a.check('11.0.0.1')).toBe('not in --allow');
    expect(a.check('::ffff:11.0.0.1')).toBe('not in --allow');
    expect(a.check('fe80::1')).toBe('not in --allow');
    expect(a.check(undefined)).toBe('peer address unknown');
  });

  test('deny wins over allow, for IPv4 and mapped peers alike', () => {
    const a = new AccessList([rule('10.0.0.0/8')], [rule('10.9.0.0/16'), rule('::1')]);
    expect(a.check('10.9.1.1')).toBe('matches --deny');
    expect(a.check('::ffff:10.9.1.1')).toBe('matches --deny');
    expect(a.check('10.8.1.1')).toBeUndefined();
    expect(a.check('::1')).toBe('matches --deny');
  });

  test('deny only: everyone else may connect', () => {
    const a = new AccessList([], [rule('192.0.2.0/24')]);
    expect(a.check('192.0.2.200')).toBe('matches --deny');
    expect(a.check('198.51.100.1')).toBeUndefined();
  });
});
