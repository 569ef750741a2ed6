import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('refuses after the allowed failures until the oldest one ages out of the window', () => {
    let now = 1_000_000;
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    const keys = ['name:ann'];
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter(keys)).toBe(0);
      t.fail(keys);
      now += 1_000;
    }
    expect(t.retryAfter(keys)).toBe(57_000);
    now += 57_000;
    expect(t.retryAfter(keys)).toBe(0);
  });

  it('throttles a key that failed (an address) even when another key (the name) did not', () => {
    const t = new LoginThrottle({ maxFailures: 2, now: () => 0 });
    t.fail(['name:a', 'address:10.0.0.1']);
    t.fail(['name:b', 'address:10.0.0.1']);
    expect(t.retryAfter(['name:c', 'address:10.0.0.1'])).toBeGreaterThan(0);
    expect(t.retryAfter(['name:c', 'address:10.0.0.2'])).toBe(0);
  });

  it('forgets failures after a success, and forgets the stalest keys beyond its size', () => {
    const t = new LoginThrottle({ maxFailures: 1, maxKeys: 2, now: () => 0 });
    t.fail(['k1']);
    t.succeed(['k1']);
    expect(t.retryAfter(['k1'])).toBe(0);
    t.fail(['k2']);
    t.fail(['k3']);
    t.fail(['k4']);
    expect(t.retryAfter(['k2'])).toBe(0);
    expect(t.retryAfter(['k4'])).toBeGreaterThan(0);
  });
});
