import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../domain/alert.js';
import { fastFingerprint } from './fingerprint.js';

describe('fastFingerprint', () => {
  it('equals the BigInt fingerprint for any label set', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })),
        (labels) => {
          expect(fastFingerprint(labels)).toBe(fingerprint(labels));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the fingerprints Alertmanager 0.25 printed for the same labels', () => {
    expect(fastFingerprint({ a: '1', a0: '2', alertname: 'A', b: '3', x: '1', y: 'q"w' })).toBe(
      '14bb9df4aae3fad9',
    );
    expect(fastFingerprint({ alertname: 'A', b: 'é\u0001\n' })).toBe('6eec48b2bbd3827c');
  });
});
