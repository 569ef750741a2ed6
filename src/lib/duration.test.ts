import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses combined units', () => {
    expect(parseDuration('1w2d3h4m5s6ms')).toBe(((((7 + 2) * 24 + 3) * 60 + 4) * 60 + 5) * 1000 + 6);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects what Prometheus rejects', () => {
    for (const bad of ['', '5', '5 m', '1m1h', '-5s', '1.5h', 'five'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('formats back to text that parses to the same value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 365 * 24 * 3600_000 }),
        (ms) => parseDuration(formatDuration(ms)) === ms,
      ),
    );
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
