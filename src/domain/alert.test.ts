import { describe, expect, it } from 'vitest';
import { alertStatus, fingerprint } from './alert.js';

describe('fingerprint', () => {
  it('does not depend on label order and changes with any label', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1', b: '2' })).not.toBe(fingerprint({ a: '1', b: '3' }));
    expect(fingerprint({ ab: '' })).not.toBe(fingerprint({ a: 'b' }));
    expect(fingerprint({ alertname: 'X' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is the FNV-1a 64 hash of the empty set for no labels', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });
});

describe('alertStatus', () => {
  it('is resolved once endsAt has passed', () => {
    expect(alertStatus({ endsAt: undefined }, 10)).toBe('firing');
    expect(alertStatus({ endsAt: 20 }, 10)).toBe('firing');
    expect(alertStatus({ endsAt: 10 }, 10)).toBe('resolved');
  });
});
