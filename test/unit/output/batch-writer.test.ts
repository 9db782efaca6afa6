import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { BATCH_BYTES, BatchWriter } from '../../../src/sinks/batch-writer.js';
import { MemoryStream } from '../../helpers/streams.js';

/** A stream that only finishes each write later (like a busy pipe), keeping what it got. */
class SlowStream extends Writable {
  readonly got: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    setTimeout(() => {
      this.got.push(Buffer.from(chunk));
      cb();
    }, 1);
  }
}

describe('BatchWriter', () => {
  test('events written in one task go out together, whole and in order, after the task', async () => {
    const out = new MemoryStream();
    const w = new BatchWriter(out);
    w.write('{"a":1}', true);
    w.write('two\nlines', true);
    w.write('no newline');
    expect(out.chunks).toHaveLength(0);
    await Promise.resolve();
    expect(out.chunks).toHaveLength(1);
    expect(out.text).toBe('{"a":1}\ntwo\nlines\nno newline');
  });

  test('flush() writes at once; nothing pending writes nothing', () => {
    const out = new MemoryStream();
    const w = new BatchWriter(out);
    w.flush();
    w.write('x', true);
    w.flush();
    w.flush();
    expect(out.chunks.map(String)).toEqual(['x\n']);
  });

  test('UTF-8 of any text, including astral and lone surrogates, equals Buffer.from', () => {
    const out = new MemoryStream();
    const w = new BatchWriter(out);
    const texts = ['Grüße · →', '😀 and \ud800 alone', '€'.repeat(30000), 'a'.repeat(BATCH_BYTES * 2)];
    for (const t of texts) w.write(t, true);
    w.flush();
    expect(out.buffer.equals(Buffer.from(texts.map((t) => t + '\n').join('')))).toBe(true);
    // no write ever splits an event: every chunk ends with a newline
    for (const c of out.chunks) expect(c.at(-1)).toBe(0x0a);
  });

  test('bytes handed to a slow stream are never overwritten by later events', async () => {
    const out = new SlowStream();
    const w = new BatchWriter(out);
    const lines = Array.from({ length: 3000 }, (_, i) => `event ${i} ${'x'.repeat(i % 97)}`);
    for (let i = 0; i < lines.length; i++) {
      w.write(lines[i]!, true);
      if (i % 7 === 0) w.flush();
    }
    w.flush();
    await new Promise<void>((r) => out.end(r));
    expect(Buffer.concat(out.got).toString()).toBe(lines.map((l) => l + '\n').join(''));
  });
});
