import { describe, expect, test } from 'vitest';
import { ByteQueue } from '../../../src/pipeline/http/byte-queue.js';

const q = (...parts: string[]): ByteQueue => {
  const queue = new ByteQueue();
  for (const p of parts) queue.append(Buffer.from(p, 'latin1'));
  return queue;
};

describe('ByteQueue', () => {
  test('lines inside one buffer and across buffers; the scan resumes', () => {
    const queue = q('GET / HTTP/1.1\r\nHo', 'st: a\r', '\n\r\nbody');
    expect(queue.nextLine(1000)?.toString()).toBe('GET / HTTP/1.1\r\n');
    expect(queue.nextLine(1000)?.toString()).toBe('Host: a\r\n');
    expect(queue.nextLine(1000)?.toString()).toBe('\r\n');
    expect(queue.nextLine(1000)).toBeUndefined();
    expect(queue.partialLength).toBe(4);
    expect(queue.partial(2).toString()).toBe('bo');
    expect(queue.scanned).toBe(queue.length);
  });

  test('a line spread over buffers is a copy; one inside a buffer is the same bytes', () => {
    const one = Buffer.from('abc\n', 'latin1');
    const queue = new ByteQueue();
    queue.append(one);
    expect(queue.nextLine(10)).toEqual(one);
    const split = q('ab', 'c\n');
    expect(split.nextLine(10)?.toString()).toBe('abc\n');
  });

  test('no line before the limit', () => {
    const queue = q('abcdef\n');
    expect(queue.nextLine(3)).toBeUndefined();
    expect(queue.scanned).toBe(3);
  });

  test('take(n) returns slices of the input, in order, and resets the scan', () => {
    const queue = q('abc', 'defg', 'h');
    queue.nextLine(100);
    expect(queue.byteAt(4)).toBe('e'.charCodeAt(0));
    expect(queue.take(5).map(String)).toEqual(['abc', 'de']);
    expect(queue.length).toBe(3);
    expect(queue.scanned).toBe(0);
    expect(queue.take(3).map(String)).toEqual(['fg', 'h']);
    expect(queue.length).toBe(0);
  });
});
