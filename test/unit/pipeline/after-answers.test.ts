import { describe, expect, it } from 'vitest';
import { AfterAnswers } from '../../../src/sources/net/after-answers.js';

describe('AfterAnswers', () => {
  it('runs the steps in the order given, once, after the current turn', async () => {
    const q = new AfterAnswers();
    const ran: number[] = [];
    q.add(() => ran.push(1));
    q.add(() => ran.push(2));
    expect(ran).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual([1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual([1, 2]);
  });

  it('flush runs them at once, with steps added while flushing, in order', () => {
    const q = new AfterAnswers();
    const ran: string[] = [];
    q.add(() => {
      ran.push('a');
      q.add(() => ran.push('c'));
    });
    q.add(() => ran.push('b'));
    q.flush();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('a step that throws does not stop the others; its error comes after them', () => {
    const q = new AfterAnswers();
    const ran: string[] = [];
    q.add(() => {
      throw new Error('sink bug');
    });
    q.add(() => ran.push('after'));
    expect(() => q.flush()).toThrow('sink bug');
    expect(ran).toEqual(['after']);
  });
});
