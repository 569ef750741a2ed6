import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, parseQuantity } from './quantity.js';

describe('quantities', () => {
  it('parses CPU and memory notations', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('128Mi')).toBe(128 * 1024 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1048576Ki')).toBe(1024 ** 3);
    expect(parseQuantity('12e3')).toBe(12000);
    expect(parseQuantity('500n')).toBeCloseTo(5e-7);
    expect(parseQuantity('lots')).toBeUndefined();
  });

  it('formats for people', () => {
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(1.5)).toBe('1.5');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512Mi');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5Gi');
  });
});
