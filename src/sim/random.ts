// Seeded randomness for the simulated cluster: uids, generated names, IPs, crash timing and
// usage noise all come from here, so one seed replays the same cluster. Components take their
// own `fork(label)` so adding a draw in one place does not shift every other sequence.

/** 32-bit FNV-1a of a string (also what Kubernetes hashes pod templates with). */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes integers into one well-spread 32-bit value (a murmur3 finaliser per step). */
export function mix32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable value in [0, 1) for a key and an integer step (for noise that needs no state). */
export function hashUnit(key: number, step: number): number {
  return mix32(key, step) / 4294967296;
}

/**
 * Smooth noise in [-1, 1]: random values at whole multiples of `periodMs`, eased between, so
 * usage wanders instead of jumping. Pure: the same key and time give the same value.
 */
export function smoothNoise(key: number, timeMs: number, periodMs: number): number {
  const x = timeMs / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const a = hashUnit(key, i) * 2 - 1;
  const b = hashUnit(key, i + 1) * 2 - 1;
  const t = f * f * (3 - 2 * f);
  return a + (b - a) * t;
}

const HEX = '0123456789abcdef';
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** sfc32: small, fast, and good enough for simulation (not for secrets). */
export class SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.seed ^ 0xdeadbeef;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** An independent stream for one component, derived from this seed and a label. */
  fork(label: string): SeededRandom {
    return new SeededRandom(mix32(this.seed, fnv32a(label)));
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Lower-case hex digits. */
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.next() * 16)];
    return out;
  }

  /** A random (version 4) UUID, as the API server gives objects. */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = HEX[(parseInt(h[16]!, 16) & 0x3) | 0x8]!;
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** The API server's generateName suffix alphabet (no vowels, no look-alikes). */
  nameSuffix(length = 5): string {
    let out = '';
    for (let i = 0; i < length; i++) out += NAME_CHARS[Math.floor(this.next() * NAME_CHARS.length)];
    return out;
  }
}

/**
 * Kubernetes' `rand.SafeEncodeString`: maps each character to the vowel-free alphabet, which is
 * how pod-template-hash and controller-revision-hash values are spelled.
 */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += NAME_CHARS[text.charCodeAt(i) % NAME_CHARS.length];
  return out;
}
