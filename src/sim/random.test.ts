import { describe, expect, it } from 'vitest';
import { SeededRandom, fnv32a, safeEncode, smoothNoise } from './random.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const draw = (r: SeededRandom): unknown[] => [r.next(), r.int(1, 6), r.uuid(), r.hex(8), r.nameSuffix()];
    expect(draw(a)).toEqual(draw(b));
    expect(draw(new SeededRandom(43))).not.toEqual(draw(new SeededRandom(42)));
  });

  it('gives each fork its own stream, unaffected by draws on the parent', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    b.next();
    b.next();
    expect(a.fork('kubelet/worker-1').next()).toBe(b.fork('kubelet/worker-1').next());
    expect(a.fork('x').next()).not.toBe(a.fork('y').next());
  });

  it('makes version 4 uuids and API-server style name suffixes', () => {
    const r = new SeededRandom(1);
    for (let i = 0; i < 50; i++) {
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.nameSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
  });

  it('keeps int() within its inclusive bounds', () => {
    const r = new SeededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(r.int(30000, 30003));
    expect([...seen].sort()).toEqual([30000, 30001, 30002, 30003]);
  });
});

describe('hashing helpers', () => {
  it('computes FNV-1a like the reference values', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  it('spells hashes in the vowel-free alphabet, as pod-template-hash values are', () => {
    expect(safeEncode(String(fnv32a('template')))).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('produces smooth, bounded noise that is the same for the same key and time', () => {
    let previous = smoothNoise(9, 0, 60_000);
    for (let t = 1_000; t < 600_000; t += 1_000) {
      const v = smoothNoise(9, t, 60_000);
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      expect(Math.abs(v - previous)).toBeLessThan(0.2);
      previous = v;
    }
    expect(smoothNoise(9, 123_456, 60_000)).toBe(smoothNoise(9, 123_456, 60_000));
  });
});
