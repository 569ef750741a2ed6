import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';

describe('ManualClock', () => {
  it('fires timers in due order, ties in the order they were set, and only when time reaches them', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(50, () => fired.push('c'));
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(41);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1_050);
  });

  it('runs timers set by timers within the same advance, at their own instant', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimer(10, () => {
      seen.push(clock.now());
      clock.setTimer(5, () => seen.push(clock.now()));
    });
    clock.advance(100);
    expect(seen).toEqual([10, 15]);
    expect(clock.now()).toBe(100);
  });

  it('never fires a cancelled timer', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.setTimer(10, () => (fired = true));
    cancel();
    clock.advance(20);
    expect(fired).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('advances in steps until a condition holds and gives up after the limit', () => {
    const clock = new ManualClock(0);
    let done = false;
    clock.setTimer(2_500, () => (done = true));
    expect(clock.advanceUntil(() => done, { stepMs: 1_000 })).toBe(3_000);
    expect(() => clock.advanceUntil(() => false, { stepMs: 1_000, maxMs: 5_000 })).toThrow(/not reached/);
  });

  it('stops a controller that keeps rescheduling itself at the same instant', () => {
    const clock = new ManualClock(0, { maxFiresPerAdvance: 100 });
    const loop = (): void => {
      clock.setTimer(0, loop);
    };
    loop();
    expect(() => clock.flush()).toThrow(/more than 100 timers/);
  });
});
