import { InvalidArgumentError } from 'commander';
import { describe, expect, test } from 'vitest';
import {
  collectAsk, parseChoice, parseDuration, parsePort, parsePositiveInt, parseResponseUrl, parseSize, parseUpstream, useColor, parseHeaderLimit,
  parseRate, parseFilterOption,
} from '../../../src/cli/options.js';

const fails = (fn: () => unknown, message: string | RegExp) => {
  expect(fn).toThrow(InvalidArgumentError);
  expect(fn).toThrow(message);
};

describe('parsePort', () => {
  test.each([['0', 0], ['1273', 1273], ['65535', 65535], ['08080', 8080]])('%s → %d', (v, n) => expect(parsePort(v)).toBe(n));
  test.each(['65536', '-1', '', '12.5', '1e3', ' 80', '0x50', 'http'])('%j is refused', (v) => {
    fails(() => parsePort(v), 'expected a TCP port 0–65535 (0 picks a free one)');
  });
});

describe('parseSize', () => {
  test.each([
    ['65536', 65536], ['0', 0], ['64k', 65536], ['64K', 65536], ['64kb', 65536], ['64KiB', 65536], ['1m', 1048576],
    ['1.5MiB', 1572864], ['2g', 2147483648], ['3 GB', 3 * 1024 ** 3], [' 10b ', 10], ['1.9', 1],
  ])('%j → %d', (v, n) => expect(parseSize(v)).toBe(n));
  test.each(['', 'k', '-1k', '1t', '1 k b', '1,5m', 'lots'])('%j is refused', (v) => {
    fails(() => parseSize(v), 'expected a size like 65536, 64KiB or 64MiB');
  });
});

describe('parseDuration', () => {
  test.each([['10', 10_000], ['10s', 10_000], ['500ms', 500], ['1.5s', 1500], ['2m', 120_000], ['2M', 120_000], ['1ms', 1], [' 3 s ', 3000], ['0.0015s', 2]])(
    '%j → %d ms', (v, n) => expect(parseDuration(v)).toBe(n),
  );
  test('zero and sub-millisecond durations are refused', () => {
    fails(() => parseDuration('0'), 'the duration must be at least 1ms');
    fails(() => parseDuration('0.5ms'), 'the duration must be at least 1ms');
  });
  test.each(['', 's', '10h', '-1s', '1m30s'])('%j is refused', (v) => {
    fails(() => parseDuration(v), 'expected a duration like 10s, 500ms or 2m');
  });
});

describe('parseUpstream', () => {
  test.each([
    ['cer.example.test:1273', 'cer.example.test', 1273],
    ['127.0.0.1:8080', '127.0.0.1', 8080],
    ['[::1]:1273', '::1', 1273],
    ['[fe80::1%eth0]:65535', 'fe80::1%eth0', 65535],
    ['[2001:db8::7]:1', '2001:db8::7', 1],
  ])('%s → %s port %d', (v, host, port) => expect(parseUpstream(v)).toEqual({ host, port }));
  test.each(['cer.example.test', '::1:1273', '[::1]', 'host:0', 'host:65536', ':1273', 'host:', 'a b:80', '[::1]1273'])(
    '%j is refused', (v) => fails(() => parseUpstream(v), 'expected host:port, e.g. cer.example.test:1273 or [::1]:1273'),
  );
});

describe('parsePositiveInt, parseChoice, collectAsk, parseResponseUrl', () => {
  test('positive ints', () => {
    expect(parsePositiveInt('1')).toBe(1);
    expect(parsePositiveInt('2147483647')).toBe(2147483647);
    for (const v of ['0', '2147483648', '-3', '1.0', '']) fails(() => parsePositiveInt(v), 'expected a whole number from 1 to 2147483647');
  });

  test('choices', () => {
    const p = parseChoice(['none', 'ok', 'cer'] as const);
    expect(p('ok')).toBe('ok');
    fails(() => p('OK'), 'expected one of: none, ok, cer');
  });

  test('--ask accumulates valid items and refuses others with their message', () => {
    expect(collectAsk('docs', collectAsk('memory-dump', []))).toEqual(['memory-dump', 'docs']);
    expect(collectAsk('wql:SELECT 1')).toEqual(['wql:SELECT 1']);
    fails(() => collectAsk('file:', []), '--ask file: needs a value');
    fails(() => collectAsk('nope', []), 'unknown --ask item "nope"');
  });

  test('--response-url must be one line', () => {
    expect(parseResponseUrl('https://help.example.test/wer?id=1')).toBe('https://help.example.test/wer?id=1');
    for (const v of ['', 'https://x/\r\niData=0', 'https://x/\n', 'a\tb', '\x1b[2J']) {
      fails(() => parseResponseUrl(v), 'expected a URL on one line');
    }
  });
});

describe('useColor: flag > NO_COLOR > FORCE_COLOR > TTY', () => {
  test.each([
    ['always', { NO_COLOR: '1' }, false, true],
    ['never', { FORCE_COLOR: '1' }, true, false],
    ['auto', { NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    ['auto', { NO_COLOR: '' }, true, true],
    ['auto', { NO_COLOR: '' }, false, false],
    ['auto', { FORCE_COLOR: '1' }, false, true],
    ['auto', { FORCE_COLOR: '' }, false, true],
    ['auto', { FORCE_COLOR: '0' }, true, false],
    ['auto', { FORCE_COLOR: 'false' }, true, false],
    ['auto', {}, true, true],
    ['auto', {}, false, false],
  ] as const)('%s with %j, tty %s → %s', (choice, env, tty, want) => {
    expect(useColor(choice, env, tty)).toBe(want);
  });
});

describe('parseHeaderLimit', () => {
  test('takes sizes with units, refuses limits no request could fit in', () => {
    expect(parseHeaderLimit('64KiB')).toBe(65536);
    expect(parseHeaderLimit('256')).toBe(256);
    fails(() => parseHeaderLimit('0'), /at least 256 bytes/);
    fails(() => parseHeaderLimit('255'), /at least 256 bytes/);
  });
});

describe('parseRate', () => {
  test.each([['10', 10], ['0.5', 0.5], ['2.5/s', 2.5], ['120/m', 2], [' 3 /S ', 3]])('%j → %d', (v, n) => expect(parseRate(v)).toBe(n));
  test.each(['0', '', '-1', 'fast', '10/h', '1e3', '0/m'])('%j is refused', (v) => {
    fails(() => parseRate(v), 'expected requests per second above 0, e.g. 10, 0.5 or 120/m');
  });
});

describe('parseFilterOption', () => {
  test('a good expression parses; a bad one is an InvalidArgumentError naming the column', () => {
    expect(parseFilterOption('method=PUT').type).toBe('compare');
    fails(() => parseFilterOption('method=PUT and'), /^column 15: expected a field name, found the end of the filter$/);
  });
});
