import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { Timers } from '../timers.js';
import { InstanceLog, MAX_LOG_LINES } from './instance-log.js';
import { LOG_PROFILES } from './log-profiles.js';

const ctx = {
  namespace: 'shop',
  pod: 'web-1',
  container: 'nginx',
  image: 'nginx:1.27',
  podIP: '10.244.1.5',
  seed: 7,
};

function make(startOffset = 0) {
  const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
  const timers = new Timers(clock, new AbortController().signal, (e) => {
    throw e;
  });
  const log = new InstanceLog(LOG_PROFILES.nginx!, ctx, clock.now() - startOffset, 1, timers);
  return { clock, log };
}

describe('container output', () => {
  it('produces steady lines over time, in order, the same on every read', () => {
    const { clock, log } = make();
    log.append('/docker-entrypoint.sh: Configuration complete; ready for start up');
    clock.advance(60_000);
    const lines = log.lines();
    expect(lines.length).toBeGreaterThan(8);
    expect(lines[0]!.text).toContain('Configuration complete');
    expect(lines.map((l) => l.ts)).toEqual([...lines.map((l) => l.ts)].sort((a, b) => a - b));
    expect(lines.at(-1)!.text).toMatch(/"GET \S+ HTTP\/1\.1" \d{3} \d+/);
    expect(log.lines()).toEqual(lines);
  });

  it('costs nothing for a week of output and serves only the newest lines', () => {
    const { log } = make(7 * 24 * 3600_000);
    const lines = log.lines();
    expect(lines).toHaveLength(MAX_LOG_LINES);
  });

  it('stops at the end of the instance, last words included, and tells followers', () => {
    const { clock, log } = make();
    const followed: string[] = [];
    let ended = false;
    log.follow(
      (l) => followed.push(l.text),
      () => (ended = true),
    );
    clock.advance(20_000);
    log.append('fatal: bind() failed');
    log.end();
    const count = log.lines().length;
    clock.advance(60_000);
    expect(log.lines()).toHaveLength(count);
    expect(log.lines().at(-1)!.text).toBe('fatal: bind() failed');
    expect(followed.at(-1)).toBe('fatal: bind() failed');
    expect(followed.length).toBe(count);
    expect(ended).toBe(true);
  });
});
