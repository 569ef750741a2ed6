import { describe, expect, it } from 'vitest';
import { ManualClock, tick } from '../../test/notify/manual-clock.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets one call a second through per chat and makes the next wait', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const rules = [{ limit: 1, windowMs: 1000 }];
    await limiter.acquire('chat:1', rules);
    expect(limiter.delay('chat:1', rules)).toBe(1000);
    expect(limiter.delay('chat:2', rules)).toBe(0);
    let done = false;
    const second = limiter.acquire('chat:1', rules).then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    clock.advance(999);
    await tick();
    expect(done).toBe(false);
    clock.advance(1);
    await second;
    expect(done).toBe(true);
  });

  it('holds a group to twenty messages in any minute', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const rules = [
      { limit: 1, windowMs: 1000 },
      { limit: 20, windowMs: 60_000 },
    ];
    const start = clock.now();
    for (let i = 0; i < 20; i++) {
      expect(limiter.delay('group', rules)).toBe(0);
      await limiter.acquire('group', rules);
      clock.advance(1000);
    }
    // The 21st may go only a minute after the first.
    expect(clock.now() - start).toBe(20_000);
    expect(limiter.delay('group', rules)).toBe(40_000);
  });

  it('blocks a key for the time a 429 asked for', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    limiter.block('chat:1', clock.now() + 7000);
    expect(limiter.delay('chat:1', [{ limit: 1, windowMs: 1000 }])).toBe(7000);
    clock.advance(7000);
    expect(limiter.delay('chat:1', [{ limit: 1, windowMs: 1000 }])).toBe(0);
  });
});
