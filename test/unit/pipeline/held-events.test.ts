// HeldEvents on its own: events keep wire order while some wait (a CAB summary, an answer not
// yet sent), and the events framed from an answer go right after what waited for it.
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../../../src/model.js';
import { HeldEvents } from '../../../src/pipeline/held-events.js';
import { T0, makeConnection } from '../../helpers/factories.js';

const connection = makeConnection();
const ev = (reason: string): CaptureEvent => ({ type: 'close', ts: T0, connection, reason });
const name = (e: CaptureEvent | undefined): string => (e?.type === 'close' ? e.reason! : '-');

function recorder() {
  const got: string[] = [];
  const held = new HeldEvents((e, after, cab) => got.push(`${name(e)}${after ? `[${after.map(name).join(' ')}]` : ''}${cab ? ' cab' : ''}`));
  return { held, got };
}

describe('HeldEvents', () => {
  it('delivers at once when nothing waits, and in order behind what waits', () => {
    const { held, got } = recorder();
    held.out(ev('a'));
    const b = held.wait(ev('b'), 1, false);
    held.out(ev('c'));
    expect(got).toEqual(['a']);
    held.done(b);
    expect(got).toEqual(['a', 'b', 'c']);
    held.out(ev('d'));
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('what an answer frames goes right after its request, before later events already waiting', () => {
    const { held, got } = recorder();
    const one = held.wait(ev('req1'), 1, false);
    const two = held.wait(ev('req2'), 1, false);
    held.fill(one, () => held.out(ev('res1')));
    held.done(one);
    expect(got).toEqual(['req1[res1]']);
    held.fill(two, () => held.out(ev('res2')));
    held.done(two);
    expect(got).toEqual(['req1[res1]', 'req2[res2]']);
  });

  it('a place without an event (a 100 Continue sent mid-request) keeps its events in order', () => {
    const { held, got } = recorder();
    const place = held.wait(undefined, 1, false);
    held.out(ev('later'));
    held.fill(place, () => held.out(ev('interim')));
    held.done(place);
    expect(got).toEqual(['-[interim]', 'later']);
  });

  it('an event waiting for two things (its CAB summary and its answer) goes when both are over', () => {
    const { held, got } = recorder();
    const put = held.wait(ev('put'), 2, true);
    held.fill(put, () => held.out(ev('200')));
    held.done(put);
    held.out(ev('next'));
    expect(got).toEqual([]);
    held.done(put);
    expect(got).toEqual(['put[200] cab', 'next']);
  });

  it('a delivery that throws does not stop the ones after it; the failure comes after', () => {
    const got: string[] = [];
    const held = new HeldEvents((e) => {
      got.push(name(e));
      if (name(e) === 'bad') throw new Error('sink bug');
    });
    const first = held.wait(ev('bad'), 1, false);
    held.out(ev('after'));
    expect(() => held.done(first)).toThrow('sink bug');
    expect(got).toEqual(['bad', 'after']);
    held.out(ev('next'));
    expect(got).toEqual(['bad', 'after', 'next']);
  });
});
