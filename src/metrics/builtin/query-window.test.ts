import { describe, expect, it } from 'vitest';
import { resolveWindow } from './query-window.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 30, 500);

describe('resolveWindow', () => {
  it('series default to the last hour on about 240 points; tables to now', () => {
    expect(resolveWindow('node-cpu', {}, NOW)).toEqual({
      start: Date.UTC(2026, 10, 23, 11, 0, 30),
      end: Date.UTC(2026, 10, 23, 12, 0, 30),
      stepMs: 15_000,
    });
    expect(resolveWindow('top-pods', {}, NOW)).toBe('now');
  });

  it('takes a range, since/until and a step', () => {
    expect(resolveWindow('node-cpu', { rangeMs: 6 * 3600_000, stepMs: 60_000 }, NOW)).toMatchObject({
      end: Date.UTC(2026, 10, 23, 12, 0, 30),
      stepMs: 60_000,
    });
    expect(resolveWindow('hpa', { since: NOW - 7200_000, until: NOW - 3600_000 }, NOW)).toEqual({
      start: NOW - 7200_000,
      end: NOW - 3600_000,
      stepMs: 15_000,
    });
  });

  it('refuses contradictions with bad_params', () => {
    expect(() => resolveWindow('node-cpu', { rangeMs: 60_000, since: NOW - 1 }, NOW)).toThrow(/not both/);
    expect(() => resolveWindow('node-cpu', { since: NOW + 1 }, NOW)).toThrow(/before until/);
    expect(() => resolveWindow('node-cpu', { stepMs: 10 }, NOW)).toThrow(/at least 1s/);
  });
});
